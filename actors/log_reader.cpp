#include "actors/log_reader.h"

#include <memory>

#include "raftlog/entry_reader.h"

namespace raftvault::actors {

log_reader_actor::behavior_type log_reader(std::string wal_dir) {
  auto reader = std::make_shared<raftlog::entry_reader>(std::move(wal_dir));
  return {
      [reader](read_atom, const raftlog::located_entries& where,
               const codec_ptr& codec) -> caf::result<std::vector<entry>> {
        auto read = reader->read_open(where, *codec);
        if (read) return std::move(*read);
        if (read.error().code() != errc::not_found) return to_caf(read.error());
        const auto last = where.first_index + where.locations.size() - 1;
        return to_caf(error(errc::compacted, "entries " + std::to_string(where.first_index) + ".." +
                                                 std::to_string(last) +
                                                 " were released while being read (" +
                                                 read.error().message() + ")"));
      },
  };
}

}  // namespace raftvault::actors

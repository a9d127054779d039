#include "raftlog/sealing_hook.h"

#include "codec/error.h"

namespace raftvault::raftlog {

result<std::unique_ptr<sealing_hook>> sealing_hook::make(
    std::shared_ptr<const payload_codec> codec, std::size_t batch) {
  if (!codec || !codec->encrypted()) {
    return error(errc::invalid_argument, "sealing hook: the codec does not encrypt");
  }
  RV_ASSIGN(codec::batch_sealer sealer, codec->entry_sealer(batch));
  return std::unique_ptr<sealing_hook>(new sealing_hook(std::move(codec), std::move(sealer)));
}

result<std::string_view> sealing_hook::data_for(const entry& e) {
  if (auto sealed = sealer_.seal_to(record_, e.data, place_of(e)); !sealed) {
    failed_ = true;
    return sealed.error();
  }
  return std::string_view(record_);
}

}  // namespace raftvault::raftlog

#include "codec/record_place.h"

#include <cstring>

namespace raftvault::codec {
namespace {
constexpr char kDomainTag[] = "raftvault/v1";
static_assert(sizeof(kDomainTag) - 1 + 1 + 8 + 8 + 4 == kPlaceAssociatedDataSize,
              "associated data layout and its documented size disagree");

void put_be(unsigned char* p, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    p[i] = static_cast<unsigned char>(v);
    v >>= 8;
  }
}
}  // namespace

std::string to_string(const record_place& place) {
  std::string out = place.kind == record_place::kind::snapshot ? "snapshot" : "entry";
  out += " index " + std::to_string(place.index) + " term " + std::to_string(place.term);
  return out;
}

void encode_place_associated_data(const record_place& place,
                                  unsigned char out[kPlaceAssociatedDataSize]) {
  std::memcpy(out, kDomainTag, sizeof(kDomainTag) - 1);
  out[12] = static_cast<unsigned char>(place.kind);
  put_be(out + 13, place.index, 8);
  put_be(out + 21, place.term, 8);
  put_be(out + 29, place.entry_type, 4);
}

}  // namespace raftvault::codec

#include "actors/caf_glue.h"

namespace raftvault::actors {
namespace {

// caf::error treats code 0 as "no error", so errc values are shifted by one.
constexpr std::uint8_t kCodeOffset = 1;
constexpr std::uint8_t kLastCode = static_cast<std::uint8_t>(errc::locked) + kCodeOffset;

}  // namespace

caf::error to_caf(const raftvault::error& err) {
  return caf::error(static_cast<std::uint8_t>(static_cast<std::uint8_t>(err.code()) + kCodeOffset),
                    kErrorCategory, caf::make_message(err.message()));
}

raftvault::error from_caf(const caf::error& err) {
  if (err.category() == kErrorCategory && err.code() >= kCodeOffset && err.code() <= kLastCode) {
    std::string message;
    if (err.context().match_elements<std::string>()) message = err.context().get_as<std::string>(0);
    return raftvault::error(static_cast<errc>(err.code() - kCodeOffset), std::move(message));
  }
  return raftvault::error(errc::closed, "actor error: " + caf::to_string(err));
}

void register_error_category(caf::actor_system_config& config) {
  config.add_error_category(kErrorCategory, [](std::uint8_t code, caf::atom_value,
                                               const caf::message& context) {
    std::string text(to_string(static_cast<errc>(code - kCodeOffset)));
    if (context.match_elements<std::string>()) text += ": " + context.get_as<std::string>(0);
    return text;
  });
}

}  // namespace raftvault::actors

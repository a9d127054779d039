// Test-only: the key file's sealing steps applied to header values the caller chooses, valid or
// not. A value damaged by hand fails the file's MAC (or its DEK record's authentication) before
// any check behind it runs; these let tests and fuzz targets reach those checks. Never use
// outside tests: nothing here checks that the file it makes is one raftvault would write.
#pragma once

#include <string>
#include <string_view>

#include "keys/dek.h"
#include "keys/pem.h"
#include "keys/unlock_key.h"

namespace raftvault::keys::testing {

// The value encode_key_file writes for `d` under the header named `header`: a record sealed
// under `kek` with the header's associated data, or a NONE record when `kek` is null. Any key
// size and generation are taken as they are.
result<std::string> dek_header_value(const dek& d, std::string_view header, const unlock_key* kek);

// A key file whose state block holds exactly `headers`, in this order, followed by
// `tls_key_block`; when `kek` is given, the kek-check and kek-mac headers are added as
// encode_key_file adds them.
std::string key_file_text(pem_headers headers, std::string_view tls_key_block,
                          const unlock_key* kek);

}  // namespace raftvault::keys::testing

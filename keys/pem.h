// PEM blocks (RFC 7468, with RFC 1421 "Name: value" headers) as the key file uses them.
// The parser is strict: text outside blocks, unterminated blocks, bad base64 and duplicate
// headers are corruption naming the line.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec/error.h"

namespace raftvault::keys {

// "Name: value" headers, in file order.
using pem_headers = std::vector<std::pair<std::string, std::string>>;

struct pem_block {
  std::string type;  // "RAFTVAULT KEY STATE", "ENCRYPTED PRIVATE KEY", ...
  pem_headers headers;
  std::string body;            // decoded bytes (may be secret: wipe when done)
  std::string_view text;       // the block's exact text in the parsed input, END line included
  std::size_t first_line = 0;  // 1-based, for messages

  const std::string* header(std::string_view name) const;
};

// `what` prefixes every error (the file path).
result<std::vector<pem_block>> parse_pem(std::string_view text, const std::string& what);

// Headers then a blank line (only when there are headers) then base64 in 64-column lines.
std::string encode_pem(std::string_view type, const pem_headers& headers, std::string_view body);

std::string base64_encode(std::string_view bytes);
// Strict standard base64 with padding; false on anything else.
bool base64_decode(std::string_view text, std::string& out);

}  // namespace raftvault::keys

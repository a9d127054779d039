#include "keys/pem.h"

#include <sodium.h>

#include "codec/cipher.h"
#include "keys/secret_bytes.h"
#include "keys/string_affix.h"

namespace raftvault::keys {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";

error bad(const std::string& what, std::size_t line, const std::string& why) {
  return error(errc::corruption, what + ": line " + std::to_string(line) + ": " + why);
}

}  // namespace

const std::string* pem_block::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (h.first == name) return &h.second;
  }
  return nullptr;
}

std::string base64_encode(std::string_view bytes) {
  codec::ensure_sodium();
  const auto variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  codec::ensure_sodium();
  out.assign(text.size() / 4 * 3 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return false;
  }
  out.resize(len);
  return true;
}

std::string encode_pem(std::string_view type, const pem_headers& headers, std::string_view body) {
  // Header values may be secret (an unlocked key file's DEKs): the text is sized first and
  // built in place, so no temporary string and no outgrown buffer is freed holding them.
  const std::string b64 = base64_encode(body);
  std::size_t size = 2 * (kBegin.size() + type.size() + 6) + 1 + b64.size() + b64.size() / 64 + 1;
  for (const auto& h : headers) size += h.first.size() + 2 + h.second.size() + 1;
  std::string out;
  out.reserve(size);
  out += kBegin;
  out += type;
  out += "-----\n";
  for (const auto& h : headers) out.append(h.first).append(": ").append(h.second).append("\n");
  if (!headers.empty()) out += "\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    out.append(b64, i, 64);
    out += '\n';
  }
  out += kEnd;
  out += type;
  out += "-----\n";
  return out;
}

result<std::vector<pem_block>> parse_pem(std::string_view text, const std::string& what) {
  std::vector<pem_block> blocks;
  std::size_t pos = 0;
  std::size_t line_no = 0;
  pem_block* open = nullptr;
  std::size_t block_start = 0;
  bool in_headers = false;
  // A body may be secret (an unlocked key file's TLS key): sized for the whole input so that
  // appending lines never frees an outgrown copy, and wiped on every way out.
  std::string body_b64;
  body_b64.reserve(text.size());
  const wipe_on_exit wipe_body_b64(body_b64);
  while (pos < text.size()) {
    const std::size_t line_start = pos;
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      return bad(what, line_no + 1, "missing final newline (truncated file?)");
    }
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (open == nullptr) {
      if (line.empty()) continue;
      if (!starts_with(line, kBegin) || !ends_with(line, kDashes) ||
          line.size() <= kBegin.size() + kDashes.size()) {
        return bad(what, line_no, "text outside a PEM block");
      }
      blocks.emplace_back();
      open = &blocks.back();
      open->type = std::string(line.substr(kBegin.size(), line.size() - kBegin.size() - kDashes.size()));
      open->first_line = line_no;
      block_start = line_start;
      in_headers = true;
      body_b64.clear();
      continue;
    }
    if (starts_with(line, kEnd)) {
      if (line != std::string(kEnd) + open->type + std::string(kDashes)) {
        return bad(what, line_no, "END line does not match BEGIN " + open->type);
      }
      std::string body;
      if (!base64_decode(body_b64, body)) {
        sodium_memzero(body.data(), body.size());
        return bad(what, open->first_line, "invalid base64 in the " + open->type + " block");
      }
      open->body = std::move(body);
      open->text = text.substr(block_start, pos - block_start);
      sodium_memzero(body_b64.data(), body_b64.size());
      open = nullptr;
      continue;
    }
    const auto colon = line.find(": ");
    if (in_headers && colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      if (open->header(name) != nullptr) {
        return bad(what, line_no, "duplicate header " + name);
      }
      open->headers.emplace_back(std::move(name), std::string(line.substr(colon + 2)));
      continue;
    }
    if (in_headers && line.empty() && !open->headers.empty()) {
      in_headers = false;
      continue;
    }
    in_headers = false;
    if (line.empty() || line.find(':') != std::string_view::npos) {
      return bad(what, line_no, "unexpected line in the " + open->type + " block");
    }
    body_b64 += line;
  }
  if (open != nullptr) {
    return bad(what, open->first_line,
               "PEM block " + open->type + " is not terminated (truncated file?)");
  }
  return blocks;
}

}  // namespace raftvault::keys

// The TLS key and certificate, replaced together. Protocol (each step durable):
//   1. node.crt.next  := new certificate            (crash: discarded on open, key is old)
//   2. node.key       := state + new key             (crash: node.crt.next matches, finished)
//   3. rename node.crt.next -> node.crt, fsync dir
// recover_certificate() runs on open and completes or discards step 3.
#include <fcntl.h>

#include "codec/error.h"
#include "fileio/crash_point.h"
#include "keys/key_store.h"
#include "keys/tls_key.h"

namespace raftvault::keys {
namespace {
std::string staged_cert(const std::string& cert_path) { return cert_path + ".next"; }
}  // namespace

result<secret_bytes> key_store::tls_key_pem() const { return plain_pkcs8_pem(contents_.tls_key); }

result<std::string> key_store::tls_certificate_pem() const {
  if (!fileio::exists(cert_path())) {
    return error(errc::not_found, "certificate " + cert_path() + " does not exist");
  }
  return fileio::read_file(cert_path());
}

::raftvault::status key_store::replace_tls(std::string_view cert_pem, std::string_view key_pem) {
  RV_TRY(writable());
  RV_ASSIGN(auto der, tls_key_from_pem(key_pem));
  RV_TRY(check_certificate_matches(cert_pem, der, cert_path()));
  const std::string next_cert = staged_cert(cert_path());
  RV_TRY(fileio::write_file_atomic(next_cert, cert_pem, 0644));
  fileio::crash_point("keys.tls.cert_staged");
  RV_ASSIGN(auto next, copy_contents());
  next.tls_key = std::move(der);
  RV_ASSIGN(auto kek, current_kek_copy());
  RV_TRY(persist(std::move(next), std::move(kek)));
  fileio::crash_point("keys.tls.key_replaced");
  RV_TRY(fileio::rename(next_cert, cert_path()));
  return fileio::fsync_dir(dir_);
}

::raftvault::status key_store::recover_certificate() {
  const std::string next_cert = staged_cert(cert_path());
  if (fileio::exists(next_cert)) {
    RV_ASSIGN(auto staged, fileio::read_file(next_cert));
    const bool key_replaced =
        static_cast<bool>(check_certificate_matches(staged, contents_.tls_key, next_cert));
    if (read_only_) {
      // Left for the next read-write open; the staged certificate is in force once the key is.
      if (key_replaced) return ::raftvault::status::ok();
    } else {
      if (key_replaced) {
        RV_TRY(fileio::rename(next_cert, cert_path()));  // finish
      } else {
        RV_TRY(fileio::unlink(next_cert));  // the key was not replaced: forget the new cert
      }
      RV_TRY(fileio::fsync_dir(dir_));
    }
  }
  if (!fileio::exists(cert_path())) return ::raftvault::status::ok();
  RV_ASSIGN(auto cert, fileio::read_file(cert_path()));
  return check_certificate_matches(cert, contents_.tls_key, cert_path());
}

}  // namespace raftvault::keys

// Catch2 checks of decrypted data against the etcd 3.4 golden vectors' expected.json (shared
// by the encrypted log and migration tests).
#pragma once

#include <catch2/catch.hpp>

#include "codec/raft_types.h"
#include "raftlog/encrypted_log.h"
#include "support/json_lite.h"
#include "support/test_support.h"

namespace raftvault::testing {

inline const json::value& expected_vectors() {
  static const json::value parsed =
      json::parse(read_bytes(etcd_vectors("expected.json")));
  return parsed;
}

inline void check_vector_entry(const entry& e) {
  const auto& all = expected_vectors()["entries"];
  REQUIRE(e.index >= 1);
  REQUIRE(e.index <= all.size());
  const auto& want = all[static_cast<std::size_t>(e.index - 1)];
  INFO("entry " << e.index);
  CHECK(e.index == want["index"].as_uint());
  CHECK(e.term == want["term"].as_uint());
  CHECK(static_cast<std::uint32_t>(e.type) == want["type"].as_uint());
  CHECK(e.data.size() == want["data_len"].as_uint());
  CHECK(sha256_hex(e.data) == want["data_sha256"].as_string());
}

inline void check_vector_snapshot(const snapshot& s) {
  const auto& want = expected_vectors()["snapshot"];
  CHECK(s.metadata.index == want["index"].as_uint());
  CHECK(s.metadata.term == want["term"].as_uint());
  CHECK(s.metadata.conf.voters == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(s.data.size() == want["plain_len"].as_uint());
  CHECK(sha256_hex(s.data) == want["plain_sha256"].as_string());
}

inline void check_vector_restart(const raftlog::recovered_state& got) {
  CHECK(got.metadata == "golden-metadata");
  CHECK(got.state == hard_state{4, 2, 124});
  REQUIRE(got.snap);
  check_vector_snapshot(*got.snap);
  REQUIRE(got.entries.size() == 104);
  CHECK(got.entries.front().index == 21);
  CHECK(got.entries.back().index == 124);
  for (const entry& e : got.entries) check_vector_entry(e);
}

}  // namespace raftvault::testing

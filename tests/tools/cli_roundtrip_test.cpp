// The real binary end to end on etcd 3.4's golden vectors: import (three ciphers), dump --json,
// rotate-dek and unlock-key rotate in between (every dump identical), export, and the export
// compared with the vectors as etcd's restart path reads them.
#include "cli_fixtures.h"
#include "fileio/file.h"
#include "keys/string_affix.h"
#include "support/json_lite.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

// The unlock key alone on a line: "RVKEK1-" + 56 base32 characters (no std::regex: GCC 12
// warns inside it under the sanitizers).
bool is_unlock_key_line(const std::string& text) {
  if (text.size() != 64 || text.rfind("RVKEK1-", 0) != 0 || text.back() != '\n') return false;
  for (std::size_t i = 7; i < 63; ++i)
    if (!((text[i] >= 'A' && text[i] <= 'Z') || (text[i] >= '2' && text[i] <= '7'))) return false;
  return true;
}

// The dump --json of the vectors, checked field by field against what etcd reads.
void check_dump_matches(const std::string& dump_json, const raftlog::recovered_state& expected) {
  auto dump = json::parse(dump_json);
  CHECK(dump["metadata_hex"].as_string() == hex(expected.metadata));
  CHECK(dump["hard_state"]["term"].as_uint() == expected.state.term);
  CHECK(dump["hard_state"]["vote"].as_uint() == expected.state.vote);
  CHECK(dump["hard_state"]["commit"].as_uint() == expected.state.commit);
  REQUIRE(expected.snap);
  CHECK(dump["snapshot"]["index"].as_uint() == expected.snap->metadata.index);
  CHECK(dump["snapshot"]["term"].as_uint() == expected.snap->metadata.term);
  CHECK(dump["snapshot"]["data_sha256"].as_string() == sha256_hex(expected.snap->data));
  const auto& entries = dump["entries"].as_array();
  REQUIRE(entries.size() == expected.entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = expected.entries[i];
    INFO("entry " << e.index);
    CHECK(entries[i]["index"].as_uint() == e.index);
    CHECK(entries[i]["term"].as_uint() == e.term);
    CHECK(entries[i]["type"].as_uint() == static_cast<std::uint64_t>(e.type));
    CHECK(entries[i]["data_len"].as_uint() == e.data.size());
    CHECK(entries[i]["data_sha256"].as_string() == sha256_hex(e.data));
  }
}

// `dir` holds files and every one of them ends with `suffix`.
void check_only_files_ending(const std::string& dir, const std::string& suffix) {
  auto names = fileio::list_dir(dir);
  REQUIRE(names);
  CHECK_FALSE(names->empty());
  for (const auto& name : *names) {
    INFO(dir + "/" + name);
    CHECK(keys::ends_with(name, suffix));
  }
}

void check_export_matches(const std::string& out, const raftlog::recovered_state& expected) {
  // Only what etcd itself writes: no raftvault.lock in wal/, no copy marker in snap/.
  check_only_files_ending(out + "/wal", ".wal");
  check_only_files_ending(out + "/snap", ".snap");
  auto exported = read_plain_pair(out + "/wal", out + "/snap");
  CHECK(exported.metadata == expected.metadata);
  CHECK(exported.state == expected.state);
  REQUIRE(exported.snap);
  CHECK(*exported.snap == *expected.snap);
  CHECK(exported.entries == expected.entries);
  // etcd's Verify on the snapshot it would open at.
  CHECK(raftlog::verify_wal(out + "/wal", exported.snap->marker()));
}

}  // namespace

TEST_CASE("import, dump, rotate, export round trip of the etcd vectors per cipher", "[cli][vectors]") {
  const std::string cipher = GENERATE(std::string("xchacha20poly1305"), std::string("secretbox"), std::string("none"));
  const bool locked = cipher != "none";
  INFO("cipher " << cipher);
  vector_copy source;
  const auto source_digest = tree_digest(source.wal) + tree_digest(source.snap);
  const auto expected = read_plain_pair(source.wal, source.snap);
  const std::string store = source.dir / "store";

  std::vector<std::string> import_args{"import", "--segment-size", "262144", "--wal-dir", source.wal, "--snap-dir", source.snap,
                                       "--data-dir", store, "--cipher", cipher};
  if (locked) import_args.push_back("--autolock");
  auto imported = run_raftvault(import_args);
  INFO(imported.err);
  REQUIRE(imported.exit_code == 0);
  CHECK(tree_digest(source.wal) + tree_digest(source.snap) == source_digest);  // the source is only read
  std::map<std::string, std::string> env;
  if (locked) {
    // The unlock key alone on stdout; messages for people on stderr.
    CHECK(is_unlock_key_line(imported.out));
    CHECK_THAT(imported.err, Catch::Contains("unlock key"));
    env["RAFTVAULT_UNLOCK_KEY"] = imported.out;
  } else {
    CHECK(imported.out.empty());
  }

  auto dump = run_raftvault({"dump", "--data-dir", store, "--json"}, env);
  REQUIRE(dump.exit_code == 0);
  check_dump_matches(dump.out, expected);

  auto status = run_raftvault({"status", "--data-dir", store, "--json"}, env);
  REQUIRE(status.exit_code == 0);
  auto st = json::parse(status.out);
  CHECK(st["cipher"].as_string() == cipher);
  CHECK(st["autolock"].as_bool() == locked);
  CHECK(st["snapshot_index"].as_uint() == 20);
  CHECK(st["last_index"].as_uint() == 124);
  CHECK(st["first_index"].as_uint() == 21);
  CHECK(st["hard_state"]["commit"].as_uint() == 124);
  CHECK(st["key_generations"]["current"].as_uint() == 1);
  CHECK(st["rotation_state"].as_string() == "{C}");

  if (locked) {
    auto rotated = run_raftvault({"rotate-dek", "--data-dir", store}, env);
    INFO(rotated.err);
    REQUIRE(rotated.exit_code == 0);
    CHECK_THAT(rotated.out, Catch::Contains("generation 1 -> 2"));
    auto after = run_raftvault({"dump", "--data-dir", store, "--json"}, env);
    REQUIRE(after.exit_code == 0);
    CHECK(after.out == dump.out);
    st = json::parse(run_raftvault({"status", "--data-dir", store, "--json"}, env).out);
    CHECK(st["key_generations"]["current"].as_uint() == 2);
    CHECK(st["key_generations"]["in_use"].as_array().size() == 1);
    CHECK(st["cipher"].as_string() == cipher);  // re-sealed with the same cipher
    CHECK_FALSE(std::filesystem::exists(store + "/.rotate-dek"));

    auto rekeyed = run_raftvault({"unlock-key", "rotate", "--data-dir", store}, env);
    REQUIRE(rekeyed.exit_code == 0);
    CHECK(is_unlock_key_line(rekeyed.out));
    CHECK(rekeyed.out != env["RAFTVAULT_UNLOCK_KEY"]);
    auto old_key = run_raftvault({"dump", "--data-dir", store, "--json"}, env);
    CHECK(old_key.exit_code == 1);
    CHECK_THAT(old_key.err, Catch::Contains("wrong unlock key"));
    env["RAFTVAULT_UNLOCK_KEY"] = rekeyed.out;
    after = run_raftvault({"dump", "--data-dir", store, "--json"}, env);
    REQUIRE(after.exit_code == 0);
    CHECK(after.out == dump.out);
    st = json::parse(run_raftvault({"status", "--data-dir", store, "--json"}, env).out);
    CHECK(st["kek_version"].as_uint() == 2);
  } else {
    auto refused = run_raftvault({"rotate-dek", "--data-dir", store});
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.err, Catch::Contains("is not encrypted"));
  }

  auto verified = run_raftvault({"verify", "--data-dir", store}, env);
  INFO(verified.err);
  CHECK(verified.exit_code == 0);
  CHECK_THAT(verified.out, Catch::Contains("result: ok"));

  const std::string out = source.dir / "export";
  auto exported = run_raftvault({"export", "--segment-size", "262144", "--data-dir", store, "--out", out}, env);
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  check_export_matches(out, expected);
  // The exported snapshot is etcd's file byte for byte.
  CHECK(read_bytes(out + "/snap/0000000000000002-0000000000000014.snap") ==
        read_bytes(etcd_vectors("plain-snap/0000000000000002-0000000000000014.snap")));
}

TEST_CASE("init creates an empty store, autolock on and off round trip", "[cli]") {
  temp_dir dir;
  const std::string store = dir / "store";
  auto init = run_raftvault({"init", "--segment-size", "262144", "--data-dir", store, "--metadata", "node-7"});
  REQUIRE(init.exit_code == 0);
  CHECK(init.out.empty());  // no unlock key without --autolock
  auto st = json::parse(run_raftvault({"status", "--data-dir", store, "--json"}).out);
  CHECK(st["autolock"].as_bool() == false);
  CHECK(st["metadata_hex"].as_string() == hex("node-7"));
  CHECK(st["last_index"].as_uint() == 0);
  CHECK(st["cipher"].is_null());  // nothing sealed yet: the writer's configured cipher decides

  auto on = run_raftvault({"autolock", "on", "--data-dir", store});
  REQUIRE(on.exit_code == 0);
  CHECK(is_unlock_key_line(on.out));
  CHECK_THAT(on.err, Catch::Contains("DEK rotation is requested"));
  const std::string key_file = save_key(dir, "key", on.out);
  st = json::parse(run_raftvault({"status", "--data-dir", store, "--json", "--unlock-key-file", key_file}).out);
  CHECK(st["autolock"].as_bool());
  CHECK(st["needs_rotation"].as_bool());
  auto rotated = run_raftvault({"rotate-dek", "--data-dir", store, "--unlock-key-file", key_file});
  REQUIRE(rotated.exit_code == 0);
  st = json::parse(run_raftvault({"status", "--data-dir", store, "--json", "--unlock-key-file", key_file}).out);
  CHECK_FALSE(st["needs_rotation"].as_bool());
  CHECK(st["key_generations"]["current"].as_uint() == 2);

  auto off = run_raftvault({"autolock", "off", "--data-dir", store, "--unlock-key-file", key_file});
  REQUIRE(off.exit_code == 0);
  CHECK(off.out.empty());
  st = json::parse(run_raftvault({"status", "--data-dir", store, "--json"}).out);
  CHECK(st["autolock"].as_bool() == false);
}

TEST_CASE("autolock on for a plaintext store asks for no DEK rotation it could not run", "[cli]") {
  temp_dir dir;
  const std::string store = dir / "store";
  REQUIRE(run_raftvault({"init", "--cipher", "none", "--data-dir", store}).exit_code == 0);
  auto on = run_raftvault({"autolock", "on", "--data-dir", store});
  REQUIRE(on.exit_code == 0);
  CHECK(is_unlock_key_line(on.out));
  CHECK_THAT(on.err, Catch::Contains("a plaintext store"));
  CHECK_THAT(on.err, !Catch::Contains("rotate-dek"));  // which refuses plaintext stores
}

TEST_CASE("init --tls-key stores the given key", "[cli]") {
  temp_dir dir;
  const std::string pem_path = dir / "tls.pem";
  REQUIRE(std::system(("openssl genpkey -algorithm ed25519 -out " + pem_path + " 2>/dev/null").c_str()) == 0);
  auto init = run_raftvault({"init", "--data-dir", dir / "store", "--tls-key", pem_path, "--autolock"});
  REQUIRE(init.exit_code == 0);
  const std::string key_file = save_key(dir, "key", init.out);
  // The stored key is the given one: openssl opens node.key's PKCS#8 block with the unlock key.
  const std::string cmd = "openssl pkey -in " + (dir / "store") + "/keys/node.key -passin file:" + key_file +
                          " -pubout > " + (dir / "a.pub") + " 2>/dev/null && openssl pkey -in " + pem_path +
                          " -pubout > " + (dir / "b.pub");
  REQUIRE(std::system(cmd.c_str()) == 0);
  CHECK(read_bytes(dir / "a.pub") == read_bytes(dir / "b.pub"));
}

TEST_CASE("rotate-dek keeps a segment size larger than etcd's default", "[cli]") {
  // init accepts up to 1 GiB; the re-encrypted copy must be cut at the same size.
  temp_dir dir;
  const std::string store = dir / "store";
  const std::string segment = store + "/wal-v3-encrypted/0000000000000000-0000000000000000.wal";
  REQUIRE(run_raftvault({"init", "--segment-size", "128000000", "--data-dir", store}).exit_code == 0);
  REQUIRE(std::filesystem::file_size(segment) == 128000000u);
  auto rotated = run_raftvault({"rotate-dek", "--data-dir", store});
  REQUIRE(rotated.exit_code == 0);
  CHECK_THAT(rotated.out, Catch::Contains("generation 1 -> 2"));
  CHECK(std::filesystem::file_size(segment) == 128000000u);
}

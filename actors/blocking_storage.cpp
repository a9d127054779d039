#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/pipeline.h"
#include "codec/error.h"

namespace raftvault::actors::detail {

struct ticket_promise {
  std::shared_ptr<std::promise<result<std::uint64_t>>> answer;
};

}  // namespace raftvault::actors::detail

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftvault::actors::detail::ticket_promise)

namespace raftvault::actors {
namespace {

// One actor between the submitting threads and the storage: a thread's submits reach it in
// order (one mailbox), and it asks the storage in that order.
caf::behavior submitter(caf::event_based_actor* self, storage_actor storage) {
  return {
      [self, storage](append_atom, hard_state& state, std::vector<entry>& entries, detail::ticket_promise& t) {
        self->request(storage, caf::infinite, append_atom::value, std::move(state), std::move(entries))
            .then([t](std::uint64_t index) { t.answer->set_value(index); },
                  [t](caf::error& err) { t.answer->set_value(from_caf(err)); });
      },
  };
}

}  // namespace

result<std::uint64_t> append_ticket::wait() {
  try {
    return answer_.get();
  } catch (const std::future_error&) {  // the storage stopped before it answered
    return error(errc::closed, "the store closed before this append was answered");
  }
}

result<std::unique_ptr<blocking_storage>> blocking_storage::open(
    std::unique_ptr<caf::actor_system_config> config, const keys::unlock_key* kek) {
  RV_ASSIGN(auto options, read_options(*config));
  RV_ASSIGN(auto store, open_store(options, kek));
  std::unique_ptr<blocking_storage> out(new blocking_storage());
  if (store.new_unlock_key) {
    RV_ASSIGN(auto copy, store.new_unlock_key->clone());
    out->new_unlock_key_ = std::move(copy);
  }
  out->config_ = std::move(config);
  out->system_ = std::make_unique<caf::actor_system>(*out->config_);
  out->storage_ = spawn_storage(*out->system_, options, std::move(store));
  out->submitter_ = out->system_->spawn(submitter, out->storage_);
  return out;
}

result<std::unique_ptr<blocking_storage>> blocking_storage::open(const pipeline_options& options,
                                                                 const keys::unlock_key* kek) {
  auto config = std::make_unique<pipeline_config>();
  config->set("raftvault.data-dir", options.data_dir);
  config->set("raftvault.cipher", std::string(codec::to_string(options.cipher)));
  config->set("raftvault.segment-size", static_cast<caf::config_value::integer>(options.segment_size));
  config->set("raftvault.max-inflight-bytes",
              static_cast<caf::config_value::integer>(options.max_inflight_bytes));
  config->set("raftvault.crypto-workers",
              static_cast<caf::config_value::integer>(options.crypto_workers));
  config->set("raftvault.crypto-inline-bytes",
              static_cast<caf::config_value::integer>(options.crypto_inline_bytes));
  config->set("raftvault.snapshot-keep", static_cast<caf::config_value::integer>(options.snapshot_keep));
  config->set("raftvault.rotation-retry-ms",
              static_cast<caf::config_value::integer>(options.rotation_retry_ms));
  config->set("raftvault.group-commit-linger-us",
              static_cast<caf::config_value::integer>(options.group_commit_linger_us));
  config->set("raftvault.group-commit-bytes",
              static_cast<caf::config_value::integer>(options.group_commit_bytes));
  config->set("raftvault.group-commit-mode",
              std::string(options.group_commit_mode == group_mode_setting::halves  ? "halves"
                          : options.group_commit_mode == group_mode_setting::whole ? "whole"
                                                                                   : "auto"));
  config->set("raftvault.segment-delete-rate",
              static_cast<caf::config_value::integer>(options.segment_delete_rate));
  config->set("raftvault.create-if-missing", options.create_if_missing);
  config->set("raftvault.autolock", options.autolock);
  config->set("raftvault.wal-direct-io", options.wal_direct_io);
  config->set("raftvault.background-nice",
              static_cast<caf::config_value::integer>(options.background_nice));
  config->set("raftvault.rotation-step-pause-us",
              static_cast<caf::config_value::integer>(options.rotation_step_pause_us));
  config->set("raftvault.metadata", options.metadata);
  if (!options.unlock_key_file.empty()) config->set("raftvault.unlock-key-file", options.unlock_key_file);
  return open(std::move(config), kek);
}

blocking_storage::~blocking_storage() {
  if (!system_) return;
  if (!closed_) (void)close();
  // Stop every actor before the system: linked children die with the storage.
  caf::anon_send_exit(submitter_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(storage_, caf::exit_reason::user_shutdown);
  storage_ = nullptr;
  system_->await_all_actors_done();
}

template <class T, class... Ts>
result<T> blocking_storage::call(Ts&&... xs) {
  caf::scoped_actor self{*system_};
  std::optional<result<T>> out;
  self->request(storage_, caf::infinite, std::forward<Ts>(xs)...)
      .receive([&](T& value) { out.emplace(std::move(value)); },
               [&](caf::error& err) { out.emplace(from_caf(err)); });
  return std::move(*out);
}

append_ticket blocking_storage::submit(hard_state state, std::vector<entry> entries) {
  detail::ticket_promise t{std::make_shared<std::promise<result<std::uint64_t>>>()};
  append_ticket ticket;
  ticket.answer_ = t.answer->get_future();
  caf::anon_send(submitter_, append_atom::value, std::move(state), std::move(entries), std::move(t));
  return ticket;
}

result<recovered_state> blocking_storage::recover() { return call<recovered_state>(recover_atom::value); }

result<std::uint64_t> blocking_storage::append(hard_state state, std::vector<entry> entries) {
  return call<std::uint64_t>(append_atom::value, std::move(state), std::move(entries));
}

result<std::uint64_t> blocking_storage::save_snapshot(snapshot snap) {
  return call<std::uint64_t>(snapshot_atom::value, std::move(snap));
}

status blocking_storage::release_to(std::uint64_t index) {
  auto released = call<bool>(release_atom::value, index);
  if (!released) return released.error();
  return {};
}

result<rotation_report> blocking_storage::rotate_dek() {
  return call<rotation_report>(rotate_dek_atom::value);
}

result<bool> blocking_storage::rotate_kek(const std::string& unlock_key_text, std::uint64_t version) {
  return call<bool>(rotate_kek_atom::value, unlock_key_text, version);
}

result<std::string> blocking_storage::set_autolock(bool on) {
  return call<std::string>(autolock_atom::value, on);
}

result<storage_status> blocking_storage::status_report() { return call<storage_status>(status_atom::value); }

void blocking_storage::register_snapshot_provider(snapshot_provider_actor provider) {
  caf::anon_send(storage_, provider_atom::value, std::move(provider));
}

::raftvault::status blocking_storage::close() {
  if (closed_) return {};
  closed_ = true;
  auto closed = call<bool>(close_atom::value);
  if (!closed) return closed.error();
  return {};
}

}  // namespace raftvault::actors

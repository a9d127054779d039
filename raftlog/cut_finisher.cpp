#include "raftlog/cut_finisher.h"

#include "fileio/crash_point.h"

namespace raftvault::raftlog {
namespace {

status finish(cut_job& job) {
  if (job.sync) RV_TRY(job.sealed.fdatasync());
  RV_TRY(job.sealed.close());
  fileio::crash_point("wal.cut.after_old_sync");
  if (job.sync) RV_TRY(job.next.fdatasync());
  RV_TRY(job.next.close());
  fileio::crash_point("wal.cut.after_new_write");
  RV_TRY(fileio::rename(job.next.path(), job.final_path));
  fileio::crash_point("wal.cut.after_rename");
  if (job.sync) RV_TRY(fileio::fsync_dir(job.dir));
  return {};
}

}  // namespace

cut_finisher::~cut_finisher() { (void)wait(); }

void cut_finisher::start(cut_job job) {
  outcome_ = {};
  // The thread owns the job: its descriptors close there, never under the appender's feet.
  worker_ = std::thread([this, job = std::move(job)]() mutable { outcome_ = finish(job); });
}

status cut_finisher::wait() {
  if (!worker_.joinable()) return {};
  worker_.join();  // also publishes outcome_ to this thread
  status outcome = std::move(outcome_);
  outcome_ = {};
  return outcome;
}

}  // namespace raftvault::raftlog

#include "core/dist/mpi_context.h"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace sinsr::dist {

namespace {

constexpr int kReportTag = 7301, kHeartbeatTag = 7302, kReleaseTag = 7303;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void nap() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw std::runtime_error(std::string("MPI error in ") + what);
}

}  // namespace

MpiContext::MpiContext() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    // FUNNELED: worker threads (data loading) never call MPI.
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    initialized_here_ = true;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm node;
  check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node), "MPI_Comm_split_type");
  MPI_Comm_rank(node, &local_rank_);
  MPI_Comm_size(node, &local_size_);
  MPI_Comm_free(&node);
  begin_phase();
}

MpiContext::~MpiContext() {
  if (initialized_here_) MPI_Finalize();
}

void MpiContext::barrier() const { check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

void MpiContext::barrier(double timeout) const {
  MPI_Request request;
  check(MPI_Ibarrier(MPI_COMM_WORLD, &request), "MPI_Ibarrier");
  const double deadline = now_seconds() + timeout;
  for (int done = 0;;) {
    check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
    if (done) return;
    if (now_seconds() > deadline)
      throw std::runtime_error(
          "a rank did not reach the barrier within " + std::to_string(static_cast<int64_t>(timeout)) +
          " s (stopped, or hung on a file system?); giving up (the timeout is the stage's peer_timeout key)");
    nap();
  }
}

std::string MpiContext::broadcast(const std::string& value) const {
  long long n = static_cast<long long>(value.size());
  check(MPI_Bcast(&n, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD), "MPI_Bcast");
  std::string out = is_root() ? value : std::string(static_cast<size_t>(n), '\0');
  if (n > 0) check(MPI_Bcast(out.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD), "MPI_Bcast");
  return out;
}

std::vector<std::string> MpiContext::gather(const std::string& value) const {
  int n = static_cast<int>(value.size());
  std::vector<int> sizes(is_root() ? size_ : 0), offsets(sizes.size());
  check(MPI_Gather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Gather");
  std::string all;
  if (is_root()) {
    int total = 0;
    for (int r = 0; r < size_; ++r) offsets[r] = total, total += sizes[r];
    all.resize(static_cast<size_t>(total));
  }
  check(MPI_Gatherv(value.data(), n, MPI_CHAR, all.data(), sizes.data(), offsets.data(), MPI_CHAR, 0, MPI_COMM_WORLD),
        "MPI_Gatherv");
  std::vector<std::string> out;
  for (int r = 0; r < static_cast<int>(sizes.size()); ++r) out.push_back(all.substr(offsets[r], sizes[r]));
  return out;
}

bool MpiContext::all_true(bool flag) const {
  int in = flag ? 1 : 0, out = 0;
  check(MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD), "MPI_Allreduce");
  return out != 0;
}

void MpiContext::post_report(int64_t done, bool finished) const {
  if (is_root()) return;
  // Two numbers, small enough for MPI's eager protocol: the send returns without waiting for the root.
  long long msg[2] = {static_cast<long long>(done), finished ? 1 : 0};
  check(MPI_Send(msg, 2, MPI_LONG_LONG, 0, kReportTag, MPI_COMM_WORLD), "MPI_Send");
}

std::vector<MpiContext::Report> MpiContext::poll_reports() const {
  std::vector<Report> out;
  for (;;) {
    int flag = 0;
    MPI_Status st;
    check(MPI_Iprobe(MPI_ANY_SOURCE, kReportTag, MPI_COMM_WORLD, &flag, &st), "MPI_Iprobe");
    if (!flag) return out;
    long long msg[2];
    check(MPI_Recv(msg, 2, MPI_LONG_LONG, st.MPI_SOURCE, kReportTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
    out.push_back({st.MPI_SOURCE, static_cast<int64_t>(msg[0]), msg[1] != 0});
    if (msg[1] != 0) finished_[static_cast<size_t>(st.MPI_SOURCE)] = true;
    last_report_[static_cast<size_t>(st.MPI_SOURCE)] = now_seconds();
  }
}

void MpiContext::post_heartbeat() const {
  if (!is_root()) return;
  int beat = 1;  // tiny: sent eagerly, never waits for the receiver
  for (int r = 1; r < size_; ++r) check(MPI_Send(&beat, 1, MPI_INT, r, kHeartbeatTag, MPI_COMM_WORLD), "MPI_Send");
}

namespace {

std::runtime_error silent(const std::string& who, double timeout) {
  return std::runtime_error(
      who + " has shown no progress for " + std::to_string(static_cast<int64_t>(timeout)) +
      " s (stopped, or hung on a file system?); giving up (the timeout is the stage's peer_timeout key)");
}

}  // namespace

void MpiContext::drain_heartbeats() const {
  for (int flag = 1, msg = 0; flag;) {
    check(MPI_Iprobe(0, kHeartbeatTag, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE), "MPI_Iprobe");
    if (!flag) break;
    check(MPI_Recv(&msg, 1, MPI_INT, 0, kHeartbeatTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
    last_heartbeat_ = now_seconds();
  }
}

void MpiContext::begin_phase() const {
  finished_.assign(static_cast<size_t>(size_), false);
  finished_[0] = true;  // the root does not report to itself
  last_report_.assign(static_cast<size_t>(size_), now_seconds());
  last_heartbeat_ = now_seconds();
}

void MpiContext::check_peers(double timeout) const {
  if (!is_root()) {
    drain_heartbeats();
    if (now_seconds() - last_heartbeat_ > timeout) throw silent("rank 0", timeout);
    return;
  }
  for (int r = 1; r < size_; ++r)
    if (!finished_[static_cast<size_t>(r)] && now_seconds() - last_report_[static_cast<size_t>(r)] > timeout)
      throw silent("rank " + std::to_string(r), timeout);
}

void MpiContext::finish_together(double timeout, const std::function<void(const Report&)>& on_report) const {
  int go = 0;
  if (is_root()) {
    double last_beat = 0;
    while (std::find(finished_.begin(), finished_.end(), false) != finished_.end()) {
      for (const Report& r : poll_reports()) on_report(r);
      check_peers(timeout);
      if (now_seconds() - last_beat > 1.0) post_heartbeat(), last_beat = now_seconds();
      nap();
    }
    for (int r = 1; r < size_; ++r) check(MPI_Send(&go, 1, MPI_INT, r, kReleaseTag, MPI_COMM_WORLD), "MPI_Send");
    return;
  }
  for (;;) {
    check_peers(timeout);
    int released = 0;
    check(MPI_Iprobe(0, kReleaseTag, MPI_COMM_WORLD, &released, MPI_STATUS_IGNORE), "MPI_Iprobe");
    if (released) {
      check(MPI_Recv(&go, 1, MPI_INT, 0, kReleaseTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
      drain_heartbeats();  // none is left over at MPI_Finalize: the root sends no more after the release
      return;
    }
    nap();
  }
}

void MpiContext::abort(int exit_code) const {
  MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::exit(exit_code);
}

}  // namespace sinsr::dist

// MPI for the multi-process stages (datagen's rank bootstrap, progress and gathers; later the trainer's
// CPU all-reduce and NCCL's id broadcast). One per process: MPI_Init on construction (a singleton when
// not launched by mpirun/srun), MPI_Finalize on destruction. Only the constructing thread calls MPI.
#pragma once
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

namespace sinsr::dist {

class MpiContext {
 public:
  MpiContext();
  ~MpiContext();
  MpiContext(const MpiContext&) = delete;
  MpiContext& operator=(const MpiContext&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }
  // This rank's index among the ranks on its node (MPI_COMM_TYPE_SHARED), and their count: what maps a
  // rank to a GPU whatever the launcher (mpirun, srun) and its environment variables.
  int local_rank() const { return local_rank_; }
  int local_size() const { return local_size_; }

  void barrier() const;
  // A barrier that gives up (std::runtime_error) when some rank has not arrived after `timeout` seconds.
  void barrier(double timeout) const;
  // Root's string on every rank.
  std::string broadcast(const std::string& value) const;
  // Every rank's string, in rank order, on the root (empty elsewhere).
  std::vector<std::string> gather(const std::string& value) const;
  // Logical AND of every rank's flag, on every rank.
  bool all_true(bool flag) const;

  // The same exchanges for plain structs (trivially copyable: numbers, flags, fixed arrays), sent as their bytes
  // between processes of one build.
  template <class T>
  std::vector<T> broadcast_structs(const std::vector<T>& values) const {
    return from_bytes<T>(broadcast(to_bytes(values)));
  }
  template <class T>
  std::vector<T> gather_struct(const T& value) const {
    std::vector<T> out;
    for (const std::string& bytes : gather(to_bytes(std::vector<T>{value}))) out.push_back(from_bytes<T>(bytes).at(0));
    return out;
  }

  // Progress reports to the root without blocking the sender: a non-root rank posts its running total;
  // the root collects what has arrived (poll) or waits for the next report (wait). `finished` marks the
  // rank's last report.
  struct Report {
    int rank;
    int64_t done;
    bool finished;
  };
  void post_report(int64_t done, bool finished) const;
  std::vector<Report> poll_reports() const;
  // Root, while it works: tells the ranks that already wait in finish_together that it is alive.
  void post_heartbeat() const;
  // Every rank, while it works: throws std::runtime_error naming a rank that shows no sign of progress for
  // more than `timeout` seconds: on the root, an unfinished rank whose last report (poll_reports) is that old;
  // elsewhere, the root, whose heartbeats stopped.
  void check_peers(double timeout) const;
  // Every rank, when a work phase with its own reports and finish_together starts (datagen's generation,
  // each checkpoint eval scores): no rank has finished it yet, and silence is counted from now, so time spent
  // before it (loading, the last phase) is not held against anyone. The timeout must exceed the slowest rank's
  // time per batch or image.
  void begin_phase() const;
  // The end of a work loop, before any collective: a stopped or hung rank (SIGSTOP, a hung file system) must
  // not leave the others blocked forever. The root hands every report to `on_report` until each other rank
  // has posted its finished one, heartbeating the waiting ranks; the others wait for the root's release.
  // Either side throws std::runtime_error naming the silent rank after `timeout` seconds without a sign of
  // it (polled with short sleeps: waiting uses no CPU).
  void finish_together(double timeout, const std::function<void(const Report&)>& on_report) const;

  // Aborts every rank (after an error on one of them that the others cannot learn about).
  [[noreturn]] void abort(int exit_code) const;

 private:
  int rank_ = 0, size_ = 1, local_rank_ = 0, local_size_ = 1;
  bool initialized_here_ = false;
  mutable std::vector<bool> finished_;       // root: which ranks' finished reports poll_reports has received
  mutable std::vector<double> last_report_;  // root: when poll_reports last heard from each rank
  mutable double last_heartbeat_ = 0;        // other ranks: when the root's last heartbeat arrived
  void drain_heartbeats() const;

  template <class T>
  static std::string to_bytes(const std::vector<T>& values) {
    static_assert(std::is_trivially_copyable_v<T>, "only plain structs travel as bytes");
    return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
  }
  template <class T>
  static std::vector<T> from_bytes(const std::string& bytes) {
    std::vector<T> values(bytes.size() / sizeof(T));
    if (!bytes.empty()) std::memcpy(values.data(), bytes.data(), values.size() * sizeof(T));
    return values;
  }
};

}  // namespace sinsr::dist

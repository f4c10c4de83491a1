// MPI for the multi-process stages (datagen's rank bootstrap, progress and gathers; later the trainer's
// CPU all-reduce and NCCL's id broadcast). One per process: MPI_Init on construction (a singleton when
// not launched by mpirun/srun), MPI_Finalize on destruction. Only the constructing thread calls MPI.
#pragma once
#include <cstdint>
#include <string>
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
  // Root's string on every rank.
  std::string broadcast(const std::string& value) const;
  // Every rank's string, in rank order, on the root (empty elsewhere).
  std::vector<std::string> gather(const std::string& value) const;
  // Logical AND of every rank's flag, on every rank.
  bool all_true(bool flag) const;

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
  Report wait_report() const;

  // Aborts every rank (after an error on one of them that the others cannot learn about).
  [[noreturn]] void abort(int exit_code) const;

 private:
  int rank_ = 0, size_ = 1, local_rank_ = 0, local_size_ = 1;
  bool initialized_here_ = false;
};

}  // namespace sinsr::dist

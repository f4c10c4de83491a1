#include "launcher/mpi_command.h"

#include <iostream>

#include "core/util/errors.h"

namespace sinsr::cli {

int run_on_ranks(const dist::MpiContext& mpi, const std::string& command, const std::function<int()>& body) {
  try {
    return body();
  } catch (const UsageError&) {
    throw;
  } catch (const std::exception& e) {
    std::cerr << "sinsr " << command << ": error on rank " << mpi.rank() << ": " << e.what() << "\n";
    if (mpi.size() > 1) mpi.abort(kExitFailure);
    throw;
  }
}

}  // namespace sinsr::cli

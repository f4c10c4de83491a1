#include "launcher/mpi_command.h"

#include <c10/util/Exception.h>

#include <iostream>

#include "core/util/errors.h"

namespace sinsr::cli {

int run_on_ranks(const dist::MpiContext& mpi, const std::string& command, const std::function<int()>& body) {
  try {
    return body();
  } catch (const UsageError&) {
    throw;
  } catch (const std::exception& e) {
    if (mpi.size() == 1) throw;  // the launcher prints it
    const auto* torch_error = dynamic_cast<const c10::Error*>(&e);  // its what() carries a stack trace
    std::cerr << "sinsr " << command << ": error on rank " << mpi.rank() << ": "
              << (torch_error ? torch_error->what_without_backtrace() : e.what()) << "\n";
    mpi.abort(dynamic_cast<const IntegrityError*>(&e) ? kExitIntegrity : kExitFailure);
  }
}

}  // namespace sinsr::cli

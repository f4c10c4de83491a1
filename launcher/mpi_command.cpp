#include "launcher/mpi_command.h"

#include <iostream>

#include "core/util/error_text.h"
#include "core/util/errors.h"

namespace sinsr::cli {

int run_on_ranks(const dist::MpiContext& mpi, const std::string& command, const std::function<int()>& body) {
  try {
    return body();
  } catch (const UsageError&) {
    throw;
  } catch (const std::exception& e) {
    if (mpi.size() == 1) throw;  // the launcher prints it
    std::cerr << "sinsr " << command << ": error on rank " << mpi.rank() << ": " << error_text(e) << "\n";
    mpi.abort(dynamic_cast<const IntegrityError*>(&e) ? kExitIntegrity : kExitFailure);
  }
}

}  // namespace sinsr::cli

// The error policy of commands that run on many MPI ranks (datagen, train).
#pragma once
#include <functional>
#include <string>

#include "core/dist/mpi_context.h"

namespace sinsr::cli {

// Runs `body`. A UsageError is raised alike on every rank and propagates (exit code 2). Any other error
// propagates to the launcher on a single rank; with more than one it is printed with the rank and aborts
// the whole job (exit 3 for an IntegrityError, else 1): the other ranks would otherwise wait for this one forever.
int run_on_ranks(const dist::MpiContext& mpi, const std::string& command, const std::function<int()>& body);

}  // namespace sinsr::cli

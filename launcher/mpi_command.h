// The error policy of commands that run on many MPI ranks (datagen, train).
#pragma once
#include <functional>
#include <string>

#include "core/dist/mpi_context.h"

namespace sinsr::cli {

// Runs `body`. A UsageError is raised alike on every rank and propagates (exit code 2). Any other error
// is printed with the rank and, with more than one rank, aborts the whole job: the other ranks would
// otherwise wait for this one forever.
int run_on_ranks(const dist::MpiContext& mpi, const std::string& command, const std::function<int()>& body);

}  // namespace sinsr::cli

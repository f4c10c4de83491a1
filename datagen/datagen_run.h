// The datagen stage (docs/architecture.md §4): every rank generates its share of the shards that are not complete
// yet, rank 0 shows aggregate progress and writes manifest.json when all are done.
#pragma once
#include "core/dist/mpi_context.h"
#include "datagen/datagen_plan.h"

namespace sinsr::datagen {

// Runs (or resumes) the data set of `settings`; returns the exit code. Throws UsageError (on every rank)
// when the output folder holds shards or a manifest of a different configuration.
int run_datagen(const DatagenSettings& settings, const dist::MpiContext& mpi);

}  // namespace sinsr::datagen

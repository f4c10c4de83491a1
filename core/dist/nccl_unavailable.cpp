// Builds without NCCL (the default CPU build): asking for the NCCL communicator is a clear error.
#include <stdexcept>

#include "core/dist/communicator.h"

namespace sinsr::dist {

std::unique_ptr<Communicator> make_nccl_communicator(const MpiContext&, int) {
  throw std::runtime_error("this sinsr was built without NCCL; rebuild with -DSINSR_WITH_NCCL=ON for GPU training");
}

}  // namespace sinsr::dist

// Collectives of any size over a Communicator (mizani/communicator.h). The
// MPI layer counts bytes in `int`, so one call carries under 2 GiB: these
// split the bytes into rounds of at most 1 GiB a call, as many rounds on
// every rank (the most any rank needs, agreed with one AllreduceMax).
// Collectives: every rank calls them in the same order.
#pragma once

#include <string>
#include <vector>

#include "mizani/communicator.h"

namespace mizani {

// Every rank's `bytes`, indexed by rank, on every rank (Allgatherv).
std::vector<std::string> GatherLarge(Communicator& comm, const std::string& bytes);

// send[peer] to each peer; returns what each rank sent to this one,
// indexed by sender (Alltoallv).
std::vector<std::string> AlltoallLarge(Communicator& comm, const std::vector<std::string>& send);

}  // namespace mizani

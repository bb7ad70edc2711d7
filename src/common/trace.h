// The trace points are public (the command traces its own phases); the
// library's files keep including them by this name.
#pragma once

#include "mizani/trace.h"

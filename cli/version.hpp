#pragma once
// The version of this build of Patron (the CMake project version).

namespace patron::cli {

// "0.1.0".
const char* Version();

}  // namespace patron::cli

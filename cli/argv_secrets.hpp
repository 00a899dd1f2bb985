#pragma once
// Keeps URL credentials out of the process title: `ps` and
// /proc/<pid>/cmdline show the argv memory, so after the words were copied
// for parsing, each URL secret in it is overwritten in place.

namespace patron::cli {

// Overwrites, in argv[0..argc), every URL password or token
// (base/url_secrets.hpp) with '*' of the same length. Call from main's
// thread before any other thread starts; argv must be main's own.
void HideUrlSecretsInArgv(int argc, char** argv);

}  // namespace patron::cli

#pragma once
// TLS material for tests, made at test time with the `openssl` command in a
// directory of the caller: a CA, a server certificate for 127.0.0.1 signed
// by it, a client certificate signed by it, and a second CA that signed
// nothing the server trusts. EC P-256 keys (fast to make). Not thread-safe
// per directory.

#include <filesystem>
#include <string>

#include "base/result.hpp"

namespace patron::testing {

struct TestCerts {
  std::string ca_file;  // PEM
  std::string server_cert_file;
  std::string server_key_file;
  std::string client_cert_file;
  std::string client_key_file;
  std::string other_ca_file;  // a CA the server's certificate does not chain to
};

// Writes the files into `dir`. kIoError with openssl's output when a command fails.
Result<TestCerts> MakeTestCerts(const std::filesystem::path& dir);

}  // namespace patron::testing

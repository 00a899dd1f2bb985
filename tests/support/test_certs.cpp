#include "tests/support/test_certs.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace patron::testing {
namespace {

// Runs `command` through the shell with its output into `log`.
Status Run(const std::string& command, const std::string& log) {
  const std::string full = command + " >>'" + log + "' 2>&1";
  if (std::system(full.c_str()) == 0) return Status::Ok();
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return Status::Io("openssl failed: " + command + "\n" + text);
}

}  // namespace

Result<TestCerts> MakeTestCerts(const std::filesystem::path& dir) {
  auto at = [&](const char* name) { return (dir / name).string(); };
  const std::string log = at("openssl.log");
  const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  std::ofstream(at("server.ext")) << "subjectAltName=IP:127.0.0.1,DNS:127.0.0.1,DNS:localhost\n"
                                     "extendedKeyUsage=serverAuth\n";
  std::ofstream(at("client.ext")) << "extendedKeyUsage=clientAuth\n";
  TestCerts c{at("ca.pem"), at("server.pem"), at("server.key"), at("client.pem"), at("client.key"),
              at("other-ca.pem")};
  for (const char* ca : {"ca", "other-ca"}) {
    PATRON_RETURN_IF_ERROR(Run("openssl req -x509 " + ec + " -days 2 -subj /CN=patron-test-" + std::string(ca) +
                                   " -keyout '" + at(ca) + ".key' -out '" + at(ca) + ".pem'",
                               log));
  }
  for (const char* who : {"server", "client"}) {
    const std::string name(who);
    const std::string cn = name == "server" ? "127.0.0.1" : "patron-test-client";
    PATRON_RETURN_IF_ERROR(Run("openssl req " + ec + " -subj /CN=" + cn + " -keyout '" + at(who) + ".key' -out '" +
                                   at(who) + ".csr'",
                               log));
    PATRON_RETURN_IF_ERROR(Run("openssl x509 -req -days 2 -in '" + at(who) + ".csr' -CA '" + c.ca_file +
                                   "' -CAkey '" + at("ca.key") + "' -CAcreateserial -out '" + at(who) +
                                   ".pem' -extfile '" + at(who) + ".ext'",
                               log));
  }
  return c;
}

}  // namespace patron::testing

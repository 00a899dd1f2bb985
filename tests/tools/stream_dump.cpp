// patron_stream_dump: prints every message a JetStream stream holds, from
// its first sequence to its last, one line each (the payload; with
// --msg-id, the Nats-Msg-Id header, a tab, then the payload). Reads each
// sequence with a direct get (js_GetMsg), so no message is missed and none
// is read twice; sequences the stream has deleted are skipped and counted.
// The last line on stderr: "<stream>: <n> messages, first <seq>, last <seq>,
// <d> deleted". For the fault tests (tests/faults/); exit 1 on any error.
//
// Usage: patron_stream_dump --nats URL --stream NAME [--msg-id]

#include <nats/nats.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

int Fail(const char* what, natsStatus s, jsErrCode code = static_cast<jsErrCode>(0)) {
  std::fprintf(stderr, "patron_stream_dump: %s: %s (error code %d)\n", what, natsStatus_GetText(s),
               static_cast<int>(code));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string url = "nats://127.0.0.1:4222";
  std::string stream;
  bool with_id = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--nats" && i + 1 < argc) {
      url = argv[++i];
    } else if (a == "--stream" && i + 1 < argc) {
      stream = argv[++i];
    } else if (a == "--msg-id") {
      with_id = true;
    } else {
      std::fprintf(stderr, "usage: patron_stream_dump --nats URL --stream NAME [--msg-id]\n");
      return 2;
    }
  }
  if (stream.empty()) {
    std::fprintf(stderr, "patron_stream_dump: --stream is required\n");
    return 2;
  }
  natsConnection* nc = nullptr;
  if (natsStatus s = natsConnection_ConnectTo(&nc, url.c_str()); s != NATS_OK) return Fail("connect", s);
  jsCtx* js = nullptr;
  if (natsStatus s = natsConnection_JetStream(&js, nc, nullptr); s != NATS_OK) return Fail("JetStream", s);
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  if (natsStatus s = js_GetStreamInfo(&info, js, stream.c_str(), nullptr, &code); s != NATS_OK)
    return Fail("stream info", s, code);
  const uint64_t first = info->State.FirstSeq;
  const uint64_t last = info->State.LastSeq;
  const uint64_t expected = info->State.Msgs;
  jsStreamInfo_Destroy(info);
  uint64_t printed = 0, deleted = 0;
  for (uint64_t seq = first; expected > 0 && seq <= last; ++seq) {
    natsMsg* msg = nullptr;
    natsStatus s = js_GetMsg(&msg, js, stream.c_str(), seq, nullptr, &code);
    if (s == NATS_NOT_FOUND) {
      ++deleted;
      continue;
    }
    if (s != NATS_OK) return Fail("get message", s, code);
    if (with_id) {
      const char* id = nullptr;
      if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) != NATS_OK || id == nullptr) id = "";
      std::fputs(id, stdout);
      std::fputc('\t', stdout);
    }
    std::fwrite(natsMsg_GetData(msg), 1, static_cast<size_t>(natsMsg_GetDataLength(msg)), stdout);
    std::fputc('\n', stdout);
    natsMsg_Destroy(msg);
    ++printed;
  }
  std::fflush(stdout);
  std::fprintf(stderr, "%s: %llu messages, first %llu, last %llu, %llu deleted\n", stream.c_str(),
               static_cast<unsigned long long>(printed), static_cast<unsigned long long>(first),
               static_cast<unsigned long long>(last), static_cast<unsigned long long>(deleted));
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  if (printed != expected) {
    std::fprintf(stderr, "patron_stream_dump: the stream reported %llu messages\n",
                 static_cast<unsigned long long>(expected));
    return 1;
  }
  return 0;
}

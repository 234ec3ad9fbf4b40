// libFuzzer target: the listener's first-bytes classifier (classifyFirstBytes), which sees whatever a client sends
// before anything else is known about it, and the ClientHello message parser behind it. A broken invariant aborts.
#include "model/tls/clienthello.h"

#include <cstdlib>

using namespace TlsLab::Model;

namespace {
void check(bool condition)
{
    if (!condition)
        std::abort();
}

void consistent(const FirstBytes &f)
{
    using Kind = FirstBytes::Kind;
    check((f.kind == Kind::TlsHandshake) == (f.recordType == 0x16));
    check(f.kind != Kind::TlsRecord || (f.recordType >= 0x14 && f.recordType <= 0x18));
    check(!f.helloComplete || (f.kind == Kind::TlsHandshake && f.problem.isEmpty()));
    check(f.problem.isEmpty() || f.kind == Kind::TlsHandshake);
    check((f.kind == Kind::Http) == !f.httpMethod.isEmpty());
    check(!f.printable || f.kind == Kind::Plaintext);
    check(!kindDescription(f.kind).isEmpty());
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const FirstBytes whole = classifyFirstBytes(bytes);
    consistent(whole);
    // The listener classifies what has arrived so far: once a prefix is decided, more bytes never change the kind.
    if (size > 1) {
        const FirstBytes prefix = classifyFirstBytes(bytes.first(qsizetype(data[0] % size) + 1));
        consistent(prefix);
        check(prefix.kind == FirstBytes::Kind::NeedMore || prefix.kind == whole.kind);
    }
    ClientHelloInfo hello;
    const QString problem = parseClientHelloMessage(bytes, hello);
    hello.highestVersion();
    check(!problem.isEmpty() || (size >= 4 && data[0] == 1));
    return 0;
}

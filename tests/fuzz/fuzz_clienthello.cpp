// libFuzzer target: ClientHello records and bare messages, their CBOR form and their fingerprints.
// A broken invariant aborts, which the fuzzer reports as a finding.
#include "model/tls/fingerprints.h"
#include "model/tls/hellodissection.h"

#include <cstdlib>

using namespace TlsLab::Model;

namespace {
void check(bool condition)
{
    if (!condition)
        std::abort();
}

void exercise(const ClientHelloDissection &d)
{
    check((d.status == DissectionStatus::Error) == !d.error.isEmpty());
    const ClientFingerprints f = clientFingerprints(d);
    check((d.status == DissectionStatus::Complete) == f.ja4.startsWith(u't'));
    check(d.status != DissectionStatus::Complete || (f.ja3Md5.size() == 32 && f.ja4.size() == 36));
    d.toCbor().toCborValue().toCbor();
    check(!d.summary().isEmpty());
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    // A bare handshake message starts with 1, which no record does: the first byte picks the entry point.
    if (size && data[0] == 1) {
        exercise(dissectClientHello(bytes));
        return 0;
    }
    const ClientHelloDissection records = dissectClientHelloRecords(bytes);
    exercise(records);
    check(records.status != DissectionStatus::Complete || records.recordCount >= 1 || records.sslv2Compatible);
    return 0;
}

// libFuzzer target: ServerHello / HelloRetryRequest messages, their CBOR form and JA3S.
#include "model/tls/fingerprints.h"
#include "model/tls/hellodissection.h"

#include <cstdlib>

using namespace TlsLab::Model;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const ServerHelloDissection s = dissectServerHello(bytes);
    if ((s.status == DissectionStatus::Error) != !s.error.isEmpty())
        std::abort();
    const ServerFingerprints f = serverFingerprints(s);
    if ((s.status == DissectionStatus::Complete) != (f.ja3sMd5.size() == 32))
        std::abort();
    s.toCbor().toCborValue().toCbor();
    if (s.summary().isEmpty())
        std::abort();
    return 0;
}

// libFuzzer target: the certificate and key importer over arbitrary bytes (a file a user opens, or a chain a peer
// sends, is untrusted input). The same bytes go to every reader a user can point at a file: certificates (PEM with
// any number of blocks, or DER), private keys (PEM: PKCS#8, traditional, encrypted; DER), PKCS#12 bundles, and the
// details shown for each certificate read, with the chain analysed as the viewer does. Whatever is read must be
// describable; whatever is refused must say why.
#include "model/certs/certificatedetails.h"
#include "model/certs/certificateio.h"
#include "model/certs/privatekey.h"

#include <cstdlib>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    // The importer refuses files over its cap before parsing; inputs beyond it would only test that check.
    if (size > size_t(CertificateIo::MaxFileBytes))
        return 0;
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));

    const auto certificates = CertificateIo::certificatesFromData(bytes, u"fuzz.pem"_s);
    if (!certificates && certificates.error().isEmpty())
        std::abort();
    if (certificates) {
        for (const QSslCertificate &certificate : certificates.value()) {
            const CertificateDetails details = CertificateDetails::fromCertificate(certificate);
            if (details.toJson().isEmpty())
                std::abort();
            details.validityStatus();
            details.summary();
        }
        ChainAnalysis::analyze(certificates.value(), {}).toJson();
    }

    // A passphrase is given, so an encrypted key is decrypted (and a wrong one refused) rather than prompted for.
    const auto key = PrivateKey::fromData(bytes, QByteArrayLiteral("fuzz"), u"fuzz.key"_s);
    if (!key && key.error().isEmpty())
        std::abort();
    if (key && (key.value().isNull() || key.value().description().isEmpty()))
        std::abort();

    if (CertificateIo::isPkcs12(bytes)) {
        const auto identity = CertificateIo::identityFromPkcs12(bytes, QByteArrayLiteral("fuzz"), u"fuzz.p12"_s);
        if (!identity && identity.error().isEmpty())
            std::abort();
    }
    return 0;
}

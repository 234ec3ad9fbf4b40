#include "model/certs/certificateplan.h"

#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

QList<CertificatePlan::File> CertificatePlan::filesForPrefix(const QString &prefix, bool chain, bool pkcs12, bool der)
{
    using Kind = File::Kind;
    QList<File> out {{Kind::Certificate, prefix + u".pem"_s}, {Kind::Key, prefix + u".key"_s}};
    if (chain)
        out.append({Kind::Chain, prefix + u".chain.pem"_s});
    if (pkcs12)
        out.append({Kind::Pkcs12, prefix + u".p12"_s});
    if (der)
        out.append({Kind::Der, prefix + u".der"_s});
    return out;
}

QStringList CertificatePlan::existingFiles() const
{
    QStringList out;
    for (const File &file : files) {
        if (QFileInfo::exists(file.path))
            out.append(file.path);
    }
    return out;
}

Status CertificatePlan::write(const Identity &identity, QStringList *written) const
{
    // The key first: a certificate is never left on disk without its key.
    QList<File> ordered;
    for (const File &file : files) {
        if (file.kind == File::Kind::Key)
            ordered.prepend(file);
        else
            ordered.append(file);
    }
    for (const File &file : std::as_const(ordered)) {
        Status status;
        switch (file.kind) {
        case File::Kind::Certificate:
            status = CertificateIo::writeCertificatePem(file.path, identity.leaf(), overwrite);
            break;
        case File::Kind::Key:
            status = CertificateIo::writeKeyPem(file.path, identity.key, passphrase, overwrite);
            break;
        case File::Kind::Chain:
            status = CertificateIo::writeChainPem(file.path, identity.chain, overwrite);
            break;
        case File::Kind::Pkcs12:
            status = CertificateIo::writePkcs12(file.path, identity, passphrase, overwrite, friendlyName);
            break;
        case File::Kind::Der:
            status = CertificateIo::writeCertificateDer(file.path, identity.leaf(), overwrite);
            break;
        }
        if (!status)
            return status;
        if (written)
            written->append(file.path);
    }
    return {};
}

CertificatePlan::Outcome CertificatePlan::generateAndWrite(
    const CertificateRequest &request, const ProgressCallback &progress) const
{
    Outcome outcome;
    auto generated = CertificateGenerator::generate(request, progress);
    // A cancel that arrives after the last progress report still means "write nothing".
    const bool cancelled
        = !generated ? generated.error() == CertificateGenerator::cancelledMessage() : (progress && !progress(-1));
    if (!generated || cancelled) {
        outcome.cancelled = cancelled;
        outcome.error = cancelled ? CertificateGenerator::cancelledMessage() : generated.error();
        return outcome;
    }
    Identity identity = std::move(generated).value();
    if (const Status status = write(identity, &outcome.written); !status) {
        outcome.error = status.error();
        return outcome;
    }
    for (const File &file : files) {
        if (file.kind == File::Kind::Certificate && identity.certificatePath.isEmpty())
            identity.certificatePath = file.path;
        if (file.kind == File::Kind::Key && identity.keyPath.isEmpty())
            identity.keyPath = file.path;
    }
    outcome.identity = std::move(identity);
    return outcome;
}

} // namespace TlsLab::Model

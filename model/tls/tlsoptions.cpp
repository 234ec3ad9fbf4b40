#include "model/tls/tlsoptions.h"

#include "model/certs/certificateio.h"
#include "model/tls/tlstext.h"

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {
// A name can be 255 bytes: show enough of it to recognise, not the whole of it.
QString shortened(const QString &text)
{
    constexpr qsizetype Shown = 24;
    return text.size() > Shown ? text.left(Shown) + u'…' : text;
}
} // namespace

Result<QSsl::SslProtocol> TlsOptions::protocolRange(QStringView text)
{
    if (const auto protocol = TlsText::protocolFromName(text.trimmed()))
        return *protocol;
    return Result<QSsl::SslProtocol>::failure(
        u"\"%1\" is not a TLS version range: use 1.2, 1.3, 1.2+ or 1.3+"_s.arg(text.toString()));
}

Result<QList<QByteArray>> TlsOptions::alpnProtocols(const QString &text)
{
    using R = Result<QList<QByteArray>>;
    QList<QByteArray> out;
    if (text.trimmed().isEmpty())
        return out;
    const QStringList parts = text.split(u',');
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const QString name = parts.at(i).trimmed();
        const QByteArray bytes = name.toUtf8();
        if (bytes.isEmpty())
            return R::failure(
                u"ALPN: protocol name %1 of %2 in \"%3\" is empty"_s.arg(i + 1).arg(parts.size()).arg(shortened(text)));
        if (bytes.size() > 255)
            return R::failure(
                u"ALPN: the protocol name \"%1\" is %2 bytes long; at most 255 are allowed"_s.arg(shortened(name))
                    .arg(bytes.size()));
        out.append(bytes);
    }
    return out;
}

Result<QList<QSslCertificate>> TlsOptions::trustAnchors(const QString &path)
{
    return CertificateIo::readCertificates(path);
}

Result<Identity> TlsOptions::identity(
    const QString &certificatePath, const QString &keyPath, const QByteArray &passphrase)
{
    if (certificatePath.isEmpty())
        return Result<Identity>::failure(u"no certificate file given"_s);
    return CertificateIo::importIdentity(certificatePath, keyPath, passphrase);
}

} // namespace TlsLab::Model

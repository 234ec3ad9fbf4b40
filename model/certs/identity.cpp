#include "model/certs/identity.h"

#include "model/tls/tlstext.h"

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

QString Identity::description() const
{
    if (isNull())
        return u"no certificate"_s;
    QString kind;
    const QString alg = key.algorithm();
    if (alg == u"RSA")
        kind = u"RSA %1"_s.arg(key.bits());
    else if (alg == u"EC")
        kind = u"ECDSA %1"_s.arg(key.curve());
    else
        kind = alg;
    if (isDevelopmentCertificate)
        return kind + u" development certificate"_s;
    const QStringList cn = leaf().subjectInfo(QSslCertificate::CommonName);
    if (cn.isEmpty())
        return kind + u" certificate"_s;
    return kind + u" certificate CN="_s + cn.join(u", "_s);
}

QString Identity::sha256Fingerprint() const
{
    if (chain.isEmpty())
        return {};
    return TlsText::sha256(leaf());
}

} // namespace TlsLab::Model

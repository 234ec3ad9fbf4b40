#include "model/certs/devcertificate.h"

#include "model/certs/certificateio.h"
#include "model/certs/certificateplan.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QStandardPaths>

#include <sys/stat.h>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

Q_LOGGING_CATEGORY(lcDevCertificate, "tlslab.model.devcertificate")

QString DevCertificate::directory()
{
    const QString overridden = qEnvironmentVariable("TLSLAB_DATA_DIR");
    if (!overridden.isEmpty())
        return overridden;
    // ~/.local/share/tlslab: one short, predictable folder, whatever the application's organisation name.
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/tlslab"_s;
}

QString DevCertificate::certificatePath()
{
    return QDir(directory()).filePath(u"tlslab-dev.pem"_s);
}

QString DevCertificate::keyPath()
{
    return QDir(directory()).filePath(u"tlslab-dev.key"_s);
}

Result<Identity> DevCertificate::loadOrCreate()
{
    using R = Result<Identity>;
    const QString dir = directory();
    if (dir.isEmpty())
        return R::failure(u"no data folder for the development certificate"_s);

    if (QFile::exists(certificatePath()) && QFile::exists(keyPath())) {
        auto existing = CertificateIo::loadIdentity(certificatePath(), keyPath());
        if (existing) {
            const QDateTime now = QDateTime::currentDateTimeUtc();
            const QSslCertificate leaf = existing->leaf();
            // Renew a day early so a long-running listener does not start with a certificate about to expire.
            if (leaf.effectiveDate() <= now && leaf.expiryDate() > now.addDays(1)) {
                // Keep the key private even if someone loosened its mode.
                QFile::setPermissions(keyPath(), QFile::ReadOwner | QFile::WriteOwner);
                existing.value().isDevelopmentCertificate = true;
                return existing;
            }
            qCInfo(lcDevCertificate) << "development certificate expired or not yet valid; making a new one";
        } else {
            qCInfo(lcDevCertificate) << "development certificate unusable, making a new one:" << existing.error();
        }
    }

    // Folders made here are private (0700) whatever the umask; a folder that exists is the user's and keeps its mode
    // (TLSLAB_DATA_DIR may name a shared one). The key inside is 0600 either way.
    QStringList missing;
    for (QString d = QDir::cleanPath(QDir(dir).absolutePath()); !QFileInfo::exists(d) && d != u"/";
         d = QFileInfo(d).path())
        missing.prepend(d);
    for (const QString &d : std::as_const(missing)) {
        if (::mkdir(QFile::encodeName(d).constData(), 0700) != 0 && !QFileInfo(d).isDir())
            return R::failure(u"%1: cannot create the folder"_s.arg(d));
    }
    if (!QFileInfo(dir).isDir())
        return R::failure(u"%1: cannot create the folder"_s.arg(dir));

    CertificateRequest request;
    request.profile = CertificateProfile::SelfSignedServer;
    request.keyType = KeyType::EcP256;
    request.subject.commonName = u"localhost"_s;
    request.subject.organization = u"TLS Lab development certificate"_s;
    request.subjectAltNames = {u"DNS:localhost"_s, u"IP:127.0.0.1"_s, u"IP:::1"_s};
    request.notBefore = QDateTime::currentDateTimeUtc().addSecs(-3600);
    request.notAfter = request.notBefore.addDays(365);
    request.comment = u"TLS Lab development certificate: for local testing only"_s;
    CertificatePlan plan;
    plan.files = {
        {CertificatePlan::File::Kind::Key, keyPath()}, {CertificatePlan::File::Kind::Certificate, certificatePath()}};
    plan.overwrite = CertificateIo::Overwrite::Yes;
    CertificatePlan::Outcome outcome = plan.generateAndWrite(request);
    if (!outcome.identity)
        return R::failure(outcome.error);

    Identity identity = std::move(*outcome.identity);
    identity.isDevelopmentCertificate = true;
    return identity;
}

} // namespace TlsLab::Model

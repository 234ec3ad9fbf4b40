#include "testpki.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>

using namespace Qt::StringLiterals;

namespace TlsLab::Test {

TestPki::TestPki(const QString &directory)
    : m_dir(directory)
{
    QDir().mkpath(m_dir);
}

QString TestPki::path(const QString &file) const
{
    return m_dir + u'/' + file;
}

QString TestPki::opensslTime(qint64 secondsFromNow)
{
    return QDateTime::currentDateTimeUtc().addSecs(secondsFromNow).toString(u"yyyyMMddHHmmss"_s) + u'Z';
}

bool TestPki::run(const QStringList &arguments)
{
    QProcess p;
    p.setWorkingDirectory(m_dir);
    p.start(u"openssl"_s, arguments);
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        m_lastError = u"openssl "_s + arguments.join(u' ') + u": "_s + QString::fromLocal8Bit(p.readAllStandardError());
        return false;
    }
    return true;
}

CertFiles TestPki::makeCa(const QString &name, const QString &commonName)
{
    const CertFiles f {path(name + u".pem"_s), path(name + u".key"_s), {}};
    if (!run({u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:P-256"_s, u"-nodes"_s,
            u"-keyout"_s, f.key, u"-out"_s, f.certificate, u"-subj"_s, u"/O=TLS Lab tests/CN="_s + commonName,
            u"-days"_s, u"30"_s, u"-addext"_s, u"basicConstraints=critical,CA:TRUE"_s, u"-addext"_s,
            u"keyUsage=critical,keyCertSign,cRLSign"_s}))
        return {};
    return f;
}

CertFiles TestPki::makeLeaf(const QString &name, const CertFiles &ca, const QString &commonName, const QString &sans,
    const QString &purpose, const QString &startDate, const QString &endDate)
{
    const CertFiles f {path(name + u".pem"_s), path(name + u".key"_s), path(name + u".chain.pem"_s)};
    const QString csr = path(name + u".csr"_s);
    if (!run({u"req"_s, u"-new"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:P-256"_s, u"-nodes"_s,
            u"-keyout"_s, f.key, u"-out"_s, csr, u"-subj"_s, u"/CN="_s + commonName}))
        return {};

    // `openssl ca` is the tool that takes explicit start and end dates (past ones included).
    const QString db = path(name + u".index"_s);
    QFile::remove(db);
    QFile(db).open(QIODevice::WriteOnly);
    QFile attr(db + u".attr"_s);
    if (attr.open(QIODevice::WriteOnly))
        attr.write("unique_subject = no\n");
    const QString eku = purpose == u"client" ? u"clientAuth"_s : u"serverAuth"_s;
    const QString config = path(name + u".cnf"_s);
    QFile cnf(config);
    if (!cnf.open(QIODevice::WriteOnly))
        return {};
    cnf.write(u"[ca]\ndefault_ca = testca\n"
              "[testca]\ndatabase = %1\nnew_certs_dir = %2\nserial = %3\ndefault_md = sha256\npolicy = any\n"
              "copy_extensions = none\nemail_in_dn = no\n"
              "[any]\ncommonName = supplied\n"
              "[ext]\nbasicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = %4\n"
              "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n%5"_s
                  .arg(db, m_dir, path(name + u".serial"_s), eku,
                      sans.isEmpty() ? QString() : u"subjectAltName = "_s + sans + u'\n')
                  .toUtf8());
    cnf.close();
    QFile serial(path(name + u".serial"_s));
    if (serial.open(QIODevice::WriteOnly))
        serial.write(QByteArray::number(QDateTime::currentMSecsSinceEpoch(), 16).rightJustified(16, '0') + "\n");
    serial.close();
    if (!run({u"ca"_s, u"-batch"_s, u"-config"_s, config, u"-extensions"_s, u"ext"_s, u"-cert"_s, ca.certificate,
            u"-keyfile"_s, ca.key, u"-in"_s, csr, u"-out"_s, f.certificate, u"-notext"_s, u"-startdate"_s,
            startDate.isEmpty() ? opensslTime(-3600) : startDate, u"-enddate"_s,
            endDate.isEmpty() ? opensslTime(365 * 86400) : endDate}))
        return {};
    QFile leaf(f.certificate), issuer(ca.certificate), chain(f.chain);
    if (!leaf.open(QIODevice::ReadOnly) || !issuer.open(QIODevice::ReadOnly) || !chain.open(QIODevice::WriteOnly))
        return {};
    chain.write(leaf.readAll() + issuer.readAll());
    return f;
}

CertFiles TestPki::makeSelfSigned(const QString &name, const QString &commonName, const QString &sans)
{
    const CertFiles f {path(name + u".pem"_s), path(name + u".key"_s), {}};
    if (!run({u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:P-256"_s, u"-nodes"_s,
            u"-keyout"_s, f.key, u"-out"_s, f.certificate, u"-subj"_s, u"/CN="_s + commonName, u"-days"_s, u"30"_s,
            u"-addext"_s, u"subjectAltName="_s + sans}))
        return {};
    return f;
}

} // namespace TlsLab::Test

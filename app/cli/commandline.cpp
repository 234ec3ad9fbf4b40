#include "app/cli/commandline.h"

#include "app/cli/certcommand.h"
#include "app/cli/connectcommand.h"
#include "app/cli/servecommand.h"
#include "model/tls/tlstext.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QSslSocket>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace TlsLab::Cli {

namespace {

const char *const UsageText = "Usage: tlslab [COMMAND] [OPTIONS]\n"
                              "\n"
                              "With no command, opens the TLS Lab window.\n"
                              "\n"
                              "Commands (each prints JSON lines, or text with --text; see 'tlslab COMMAND --help'):\n"
                              "  serve      Run a TLS listener and record every connection\n"
                              "  connect    Connect to a TLS (or, deliberately, plaintext) server\n"
                              "  cert       Make and show certificates\n"
                              "\n"
                              "Options:\n"
                              "  -h, --help     Show this help\n"
                              "  -v, --version  Show the version of TLS Lab, Qt and OpenSSL\n";

void printOut(const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

} // namespace

bool isCommandLineInvocation(const QStringList &arguments)
{
    if (arguments.size() < 2)
        return false;
    const QString &first = arguments.at(1);
    static const QStringList commands
        = {u"serve"_s, u"connect"_s, u"cert"_s, u"help"_s, u"--help"_s, u"-h"_s, u"--version"_s, u"-v"_s};
    return commands.contains(first);
}

int runCommandLine(Model::Lab &lab, const QStringList &arguments)
{
    const QString command = arguments.value(1);
    const QStringList rest = arguments.mid(1);
    if (command == u"serve")
        return runServeCommand(lab, rest);
    if (command == u"connect")
        return runConnectCommand(lab, rest);
    if (command == u"cert")
        return runCertCommand(rest);
    if (command == u"--version" || command == u"-v") {
        printOut(u"tlslab %1 (Qt %2, %3)\n"_s.arg(
            QStringLiteral(TLSLAB_VERSION), QString::fromLatin1(qVersion()), QSslSocket::sslLibraryVersionString()));
        return ExitOk;
    }
    if (command == u"help" && arguments.size() > 2)
        return runCommandLine(lab, {arguments.at(0), arguments.at(2), u"--help"_s});
    printOut(QString::fromLatin1(UsageText));
    return ExitOk;
}

Model::Result<Endpoint> parseEndpoint(const QString &text, quint16 defaultPort)
{
    using R = Model::Result<Endpoint>;
    Endpoint e;
    QString host = text;
    QString port;
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u']');
        if (close < 0)
            return R::failure(u"'%1' is not an address: missing ']'"_s.arg(text));
        host = text.mid(1, close - 1);
        if (close + 1 < text.size()) {
            if (text.at(close + 1) != u':')
                return R::failure(u"'%1' is not an address: expected ':' after ']'"_s.arg(text));
            port = text.mid(close + 2);
        }
    } else if (text.count(u':') == 1) {
        host = text.section(u':', 0, 0);
        port = text.section(u':', 1);
    } else if (text.count(u':') > 1) {
        host = text; // a bare IPv6 address
    }
    if (host.isEmpty())
        return R::failure(u"'%1' has no host: write HOST:PORT (for example 127.0.0.1:4481)"_s.arg(text));
    e.host = host == u"*" ? u"0.0.0.0"_s : host;
    e.port = defaultPort;
    if (!port.isEmpty()) {
        bool ok = false;
        const uint p = port.toUInt(&ok);
        if (!ok || p > 65535)
            return R::failure(u"'%1' is not a port number (0-65535)"_s.arg(port));
        e.port = quint16(p);
    }
    return e;
}

Model::Result<QList<QSslCertificate>> loadCertificates(const QString &path)
{
    using R = Model::Result<QList<QSslCertificate>>;
    QFile file(path);
    if (!QFileInfo::exists(path))
        return R::failure(u"%1: no such file"_s.arg(path));
    if (!file.open(QIODevice::ReadOnly))
        return R::failure(u"%1: cannot read: %2"_s.arg(path, file.errorString()));
    const QByteArray data = file.readAll();
    QList<QSslCertificate> certs = QSslCertificate::fromData(data, QSsl::Pem);
    if (certs.isEmpty())
        certs = QSslCertificate::fromData(data, QSsl::Der);
    if (certs.isEmpty())
        return R::failure(u"%1: no certificate found (expected PEM or DER)"_s.arg(path));
    return certs;
}

Model::Result<QList<QByteArray>> parseAlpn(const QString &text)
{
    QList<QByteArray> out;
    for (const QString &p : text.split(u',', Qt::SkipEmptyParts)) {
        const QByteArray bytes = p.trimmed().toLatin1();
        if (bytes.isEmpty() || bytes.size() > 255)
            return Model::Result<QList<QByteArray>>::failure(u"'%1' is not an ALPN protocol name"_s.arg(p));
        out.append(bytes);
    }
    return out;
}

QByteArray passphraseFromEnv(const QString &variable)
{
    return variable.isEmpty() ? QByteArray() : qgetenv(variable.toLocal8Bit().constData());
}

void printError(const QString &message)
{
    const QByteArray bytes = (u"tlslab: "_s + message + u'\n').toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    std::fflush(stderr);
}

TlsOptions::TlsOptions(const QString &certificateHelp, const QString &caHelp, const QString &alpnHelp)
    : m_cert(u"cert"_s, certificateHelp, u"FILE"_s)
    , m_key(u"key"_s, u"Private key file (PEM or DER, any key type, encrypted or not)."_s, u"FILE"_s)
    , m_passphraseEnv(u"passphrase-env"_s, u"Read the key's passphrase from this environment variable."_s, u"VAR"_s)
    , m_ca(u"ca"_s, caHelp, u"FILE"_s)
    , m_tls(u"tls"_s, u"TLS versions: 1.2, 1.3, 1.2+ or 1.3+ (default 1.2+)."_s, u"VERSION"_s)
    , m_alpn(u"alpn"_s, alpnHelp, u"LIST"_s)
{ }

void TlsOptions::addTo(QCommandLineParser &parser) const
{
    parser.addOptions({m_cert, m_key, m_passphraseEnv, m_ca, m_tls, m_alpn});
}

std::optional<int> TlsOptions::read(const QCommandLineParser &parser, Values &values) const
{
    if (parser.isSet(m_cert) != parser.isSet(m_key)) {
        printError(u"--cert and --key go together"_s);
        return ExitUsage;
    }
    if (parser.isSet(m_cert)) {
        auto identity = Model::Identity::load(
            parser.value(m_cert), parser.value(m_key), passphraseFromEnv(parser.value(m_passphraseEnv)));
        if (!identity) {
            printError(identity.error());
            return ExitFailed;
        }
        values.identity = identity.value();
    }
    if (parser.isSet(m_ca)) {
        auto cas = loadCertificates(parser.value(m_ca));
        if (!cas) {
            printError(cas.error());
            return ExitFailed;
        }
        values.caCertificates = cas.value();
    }
    if (parser.isSet(m_tls)) {
        values.protocol = Model::TlsText::protocolFromName(parser.value(m_tls));
        if (!values.protocol) {
            printError(u"--tls takes 1.2, 1.3, 1.2+ or 1.3+, not '%1'"_s.arg(parser.value(m_tls)));
            return ExitUsage;
        }
    }
    if (parser.isSet(m_alpn)) {
        auto protocols = parseAlpn(parser.value(m_alpn));
        if (!protocols) {
            printError(protocols.error());
            return ExitUsage;
        }
        values.alpn = protocols.value();
    }
    return std::nullopt;
}

std::optional<int> parseOrExit(QCommandLineParser &parser, const QStringList &arguments)
{
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help({u"h"_s, u"help"_s}, u"Show this help."_s);
    parser.addOption(help);
    // arguments[0] is the subcommand's name, which QCommandLineParser takes as the program name.
    if (!parser.parse(arguments)) {
        printError(parser.errorText() + u" (see 'tlslab %1 --help')"_s.arg(arguments.value(0)));
        return ExitUsage;
    }
    if (parser.isSet(help)) {
        // QCommandLineParser names the program by its path; show the command as a user types it.
        QString help = parser.helpText();
        const qsizetype usageEnd = help.indexOf(u" [options]"_s);
        if (help.startsWith(u"Usage: "_s) && usageEnd > 0)
            help.replace(7, usageEnd - 7, u"tlslab "_s + arguments.value(0));
        printOut(help);
        return ExitOk;
    }
    return std::nullopt;
}

} // namespace TlsLab::Cli

#include "app/cli/commandline.h"

#include "model/tls/reproducecommand.h"

#include "app/cli/certcommand.h"
#include "app/cli/connectcommand.h"
#include "app/cli/hellocommand.h"
#include "app/cli/servecommand.h"
#include "app/cli/showcommand.h"
#include "model/tls/tlsoptions.h"

#include <QCoreApplication>
#include <QSslSocket>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace TlsLab::Cli {

namespace {

const char *const UsageText
    = "Usage: tlslab [COMMAND] [OPTIONS]\n"
      "\n"
      "With no command, opens the TLS Lab window.\n"
      "\n"
      "Commands (serve and connect print JSON lines, or --format text|csv; see 'tlslab COMMAND --help'):\n"
      "  serve      Run a TLS listener and record every connection\n"
      "  connect    Connect to a TLS (or, deliberately, plaintext) server\n"
      "  cert       Make and show certificates\n"
      "  hello      Dissect a ClientHello (hex or raw bytes) and fingerprint it\n"
      "  show       Print a capture file's events, or export it for Wireshark\n"
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
    static const QStringList commands = {u"serve"_s, u"connect"_s, u"cert"_s, u"hello"_s, u"show"_s, u"help"_s,
        u"--help"_s, u"-h"_s, u"--version"_s, u"-v"_s};
    // A word that is not an option is meant as a command, even a mistyped one: it gets an error and a hint, never the
    // window (the window's own arguments, -platform and the like, start with a dash).
    return commands.contains(first) || !first.startsWith(u'-');
}

namespace {

// Letters to change to turn a into b (Levenshtein), for "did you mean".
int editDistance(QStringView a, QStringView b)
{
    QList<int> row(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        row[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

} // namespace

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
    if (command == u"hello")
        return runHelloCommand(rest);
    if (command == u"show")
        return runShowCommand(rest);
    if (command == u"--version" || command == u"-v") {
        printOut(u"tlslab %1 (Qt %2, %3)\n"_s.arg(
            QStringLiteral(TLSLAB_VERSION), QString::fromLatin1(qVersion()), QSslSocket::sslLibraryVersionString()));
        return ExitOk;
    }
    if (command == u"help" && arguments.size() > 2)
        return runCommandLine(lab, {arguments.at(0), arguments.at(2), u"--help"_s});
    if (command == u"help" || command == u"--help" || command == u"-h") {
        printOut(QString::fromLatin1(UsageText));
        return ExitOk;
    }
    QString hint;
    for (const QString &known : {u"serve"_s, u"connect"_s, u"cert"_s, u"hello"_s}) {
        if (editDistance(command.toLower(), known) <= 2 || (command.size() >= 2 && known.startsWith(command)))
            hint = u"did you mean '%1'? "_s.arg(known);
    }
    printError(
        u"'%1' is not a command; %2(commands: serve, connect, cert, hello; see 'tlslab --help')"_s.arg(command, hint));
    return ExitUsage;
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

void printWarning(const QString &message)
{
    printError(u"warning: "_s + message);
}

void printReproduceCommands(const QList<Model::ReproduceCommand> &commands)
{
    QString text;
    for (const Model::ReproduceCommand &c : commands) {
        if (c.command.isEmpty())
            continue;
        for (const QString &note : c.notes)
            text += u"# "_s + note + u'\n';
        text += c.command + u'\n';
    }
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

TlsCommandOptions::TlsCommandOptions(const QString &certificateHelp, const QString &caHelp, const QString &alpnHelp)
    : m_cert(u"cert"_s, certificateHelp, u"FILE"_s)
    , m_key(u"key"_s,
          u"Private key file (PEM or DER, any key type, encrypted or not); not needed for PKCS#12 or when the key is "
          "in the --cert file."_s,
          u"FILE"_s)
    , m_passphraseEnv(u"passphrase-env"_s,
          u"Read the passphrase of the key or PKCS#12 bundle from this environment variable."_s, u"VAR"_s)
    , m_ca(u"ca"_s, caHelp, u"FILE"_s)
    , m_tls(u"tls"_s, u"TLS versions: 1.2, 1.3, 1.2+ or 1.3+ (default 1.2+)."_s, u"VERSION"_s)
    , m_alpn(u"alpn"_s, alpnHelp, u"LIST"_s)
    , m_keyLog(u"keylog"_s,
          u"Append the TLS secrets of every connection to FILE (SSLKEYLOGFILE format, mode 0600), so that Wireshark "
          "can decrypt a capture of them. Anyone with the file can read that traffic."_s,
          u"FILE"_s)
    , m_noTap(u"no-tap"_s,
          u"Do not record the TLS messages, the alerts as they cross the wire and the wire bytes of each "
          "connection (on by default)."_s)
{ }

void TlsCommandOptions::addTo(QCommandLineParser &parser) const
{
    parser.addOptions({m_cert, m_key, m_passphraseEnv, m_ca, m_tls, m_alpn, m_keyLog, m_noTap});
}

std::optional<int> TlsCommandOptions::read(const QCommandLineParser &parser, Values &values) const
{
    if (parser.isSet(m_key) && !parser.isSet(m_cert)) {
        printError(u"--key needs --cert (the certificate of that key)"_s);
        return ExitUsage;
    }
    if (parser.isSet(m_passphraseEnv)
        && !qEnvironmentVariableIsSet(parser.value(m_passphraseEnv).toLocal8Bit().constData())) {
        printError(u"--passphrase-env names the environment variable %1, which is not set"_s.arg(
            parser.value(m_passphraseEnv)));
        return ExitUsage;
    }
    if (parser.isSet(m_cert)) {
        auto identity = Model::TlsOptions::identity(
            parser.value(m_cert), parser.value(m_key), passphraseFromEnv(parser.value(m_passphraseEnv)));
        if (!identity) {
            printError(identity.error());
            return ExitFailed;
        }
        values.identity = identity.value();
    }
    values.tap = !parser.isSet(m_noTap);
    if (parser.isSet(m_keyLog)) {
        if (!values.tap) {
            printError(u"--keylog needs the TLS tap: drop --no-tap"_s);
            return ExitUsage;
        }
        values.keyLogPath = parser.value(m_keyLog);
        // The secrets decrypt every recorded connection: say so where the user will see it, every time.
        printWarning(u"writing TLS secrets to %1: anyone who can read it can decrypt these connections"_s.arg(
            values.keyLogPath));
    }
    if (parser.isSet(m_ca)) {
        auto cas = Model::TlsOptions::trustAnchors(parser.value(m_ca));
        if (!cas) {
            printError(cas.error());
            return ExitFailed;
        }
        values.caCertificates = cas.value();
    }
    if (parser.isSet(m_tls)) {
        const auto protocol = Model::TlsOptions::protocolRange(parser.value(m_tls));
        if (!protocol) {
            printError(protocol.error());
            return ExitUsage;
        }
        values.protocol = *protocol;
    }
    if (parser.isSet(m_alpn)) {
        auto protocols = Model::TlsOptions::alpnProtocols(parser.value(m_alpn));
        if (!protocols) {
            printError(protocols.error());
            return ExitUsage;
        }
        values.alpn = protocols.value();
    }
    return std::nullopt;
}

OutputOptions::OutputOptions()
    : m_format(u"format"_s, u"How to print events: json (one object per line, the default), text or csv."_s,
        u"FORMAT"_s, u"json"_s)
    , m_text(u"text"_s, u"Print human-readable lines (the same as --format text)."_s)
    , m_grep(u"grep"_s,
          u"Print only the events whose summary contains TEXT, ignoring case (the rule of the window's search box)."_s,
          u"TEXT"_s)
{ }

void OutputOptions::addTo(QCommandLineParser &parser) const
{
    parser.addOptions({m_format, m_text, m_grep});
}

std::optional<int> OutputOptions::read(const QCommandLineParser &parser, std::unique_ptr<EventPrinter> &printer) const
{
    const QString name = parser.value(m_format);
    std::optional<EventPrinter::Format> format;
    if (name == u"json")
        format = EventPrinter::Format::Json;
    else if (name == u"text")
        format = EventPrinter::Format::Text;
    else if (name == u"csv")
        format = EventPrinter::Format::Csv;
    if (!format) {
        printError(u"--format takes json, text or csv, not '%1'"_s.arg(name));
        return ExitUsage;
    }
    if (parser.isSet(m_text)) {
        if (parser.isSet(m_format) && *format != EventPrinter::Format::Text) {
            printError(u"--text is --format text; it cannot go with --format %1"_s.arg(name));
            return ExitUsage;
        }
        format = EventPrinter::Format::Text;
    }
    printer = std::make_unique<EventPrinter>(*format);
    if (parser.isSet(m_grep))
        printer->setFilter(Model::TextSearch(parser.value(m_grep)));
    return std::nullopt;
}

std::optional<qint64> integerOption(const QCommandLineParser &parser, const QCommandLineOption &option, qint64 minimum,
    qint64 maximum, const QString &unit)
{
    const QString value = parser.value(option);
    bool ok = false;
    const qint64 number = value.trimmed().toLongLong(&ok);
    if (ok && number >= minimum && number <= maximum)
        return number;
    printError(u"--%1 takes a number of %2 from %3 to %4, not '%5'"_s.arg(
        option.names().constLast(), unit, QString::number(minimum), QString::number(maximum), value));
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

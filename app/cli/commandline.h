#pragma once

#include "app/cli/jsonprinter.h"
#include "model/certs/identity.h"
#include "model/core/result.h"

#include <QCommandLineParser>
#include <QHostAddress>
#include <QList>
#include <QSsl>
#include <QSslCertificate>
#include <QStringList>

#include <memory>
#include <optional>

namespace TlsLab::Model {
class Lab;
struct ReproduceCommand;
} // namespace TlsLab::Model

namespace TlsLab::Cli {

// Exit codes shared by every subcommand.
enum ExitCode { ExitOk = 0, ExitFailed = 1, ExitUsage = 2 };

// True when the arguments name a subcommand (or --version/--help), i.e. the run is headless.
bool isCommandLineInvocation(const QStringList &arguments);
// Runs a subcommand; arguments[0] is the program name. Needs a QCoreApplication. serve and connect run on the lab.
int runCommandLine(Model::Lab &lab, const QStringList &arguments);

// Helpers for the subcommands.
struct Endpoint
{
    QString host;
    quint16 port = 0;
};
// "127.0.0.1:4481", "[::1]:4481", "localhost:4481", "*:4481" (all interfaces)
Model::Result<Endpoint> parseEndpoint(const QString &text, quint16 defaultPort);
// The passphrase from the named environment variable (never from the command line itself).
QByteArray passphraseFromEnv(const QString &variable);
// Prints "tlslab: <message>" on stderr.
void printError(const QString &message);
void printWarning(const QString &message); // "tlslab: warning: ..." on stderr
// Each command on its own line, after its notes as "# ..." lines (the files it names).
void printReproduceCommands(const QList<Model::ReproduceCommand> &commands);
// The TLS options that serve and connect share: certificate and key or a PKCS#12 bundle (with a passphrase from the
// environment), a CA file, TLS versions and ALPN protocols. The values are read by Model::TlsOptions, as the
// window's panels read theirs, and its messages are printed as they are.
class TlsCommandOptions
{
public:
    struct Values
    {
        std::optional<Model::Identity> identity;
        std::optional<QList<QSslCertificate>> caCertificates;
        std::optional<QSsl::SslProtocol> protocol;
        QList<QByteArray> alpn;
        QString keyLogPath; // --keylog
        bool tap = true; // --no-tap turns it off
    };
    TlsCommandOptions(const QString &certificateHelp, const QString &caHelp, const QString &alpnHelp);
    void addTo(QCommandLineParser &parser) const;
    // Reads and loads them; on a bad value prints one line and returns the exit code to stop with.
    std::optional<int> read(const QCommandLineParser &parser, Values &values) const;

private:
    QCommandLineOption m_cert, m_key, m_passphraseEnv, m_ca, m_tls, m_alpn, m_keyLog, m_noTap;
};

// How the commands that print events print them: --format json|text|csv (--text: text) and --grep TEXT.
class OutputOptions
{
public:
    OutputOptions();
    void addTo(QCommandLineParser &parser) const;
    // The printer for the options given; on a bad value prints one line and returns the exit code to stop with.
    std::optional<int> read(const QCommandLineParser &parser, std::unique_ptr<EventPrinter> &printer) const;

private:
    QCommandLineOption m_format, m_text, m_grep;
};

// The value of an integer option, which must lie in [minimum, maximum] ("milliseconds", "bytes" name the unit); on
// anything else prints "--NAME takes a number of UNIT from MIN to MAX, not 'VALUE'" and returns nothing.
std::optional<qint64> integerOption(const QCommandLineParser &parser, const QCommandLineOption &option, qint64 minimum,
    qint64 maximum, const QString &unit);

// Parses, handling --help; returns an exit code when the command should stop now.
std::optional<int> parseOrExit(QCommandLineParser &parser, const QStringList &arguments);

} // namespace TlsLab::Cli

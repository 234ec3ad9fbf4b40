#include "app/cli/servecommand.h"

#include "app/cli/commandline.h"
#include "app/cli/jsonprinter.h"
#include "model/capture/capturewriter.h"
#include "model/capture/pcapngexport.h"
#include "model/capture/wirestore.h"
#include "model/certs/devcertificate.h"
#include "model/diagnosis/diagnoser.h"
#include "model/lab.h"
#include "model/timeline/timeline.h"
#include "model/tls/listener.h"
#include "model/tls/reproducecommand.h"
#include "model/tls/tlstext.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimer>

#include <csignal>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;

namespace TlsLab::Cli {

namespace {

void releaseFreedMemory()
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

int signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(signalPipe[1], &byte, 1);
}

// Turns SIGINT, SIGTERM, SIGHUP (the terminal went away), SIGQUIT and SIGPIPE (whoever read our output stopped) into a
// clean stop in the event loop, so the listener closes its connections and records it (self-pipe: the handler itself
// only writes a byte).
void quitOnSignals(QObject *context, std::function<void()> quit)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, context);
    QObject::connect(notifier, &QSocketNotifier::activated, context, [notifier, quit = std::move(quit)] {
        char byte;
        [[maybe_unused]] const auto n = ::read(signalPipe[0], &byte, 1);
        notifier->setEnabled(false);
        quit();
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGHUP, &action, nullptr);
    sigaction(SIGQUIT, &action, nullptr);
    sigaction(SIGPIPE, &action, nullptr);
}

} // namespace

int runServeCommand(Lab &lab, const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Run a TLS listener and print every event of every connection as JSON lines (or --format text|csv).\n"
        "Without --cert/--key it uses TLS Lab's own development certificate (EC P-256, localhost).\n"
        "A connection that fails or is refused ends with a \"diagnosis\" event: what happened, why, what to change."_s);
    const QCommandLineOption listen(u"listen"_s,
        u"Address and port to listen on (default 127.0.0.1:4481; "
        "'*:PORT' or '0.0.0.0:PORT' for all interfaces)."_s,
        u"ADDR:PORT"_s, u"127.0.0.1:4481"_s);
    const QCommandLineOption verify(
        u"verify"_s, u"Client certificates: none, request or require (default none)."_s, u"MODE"_s, u"none"_s);
    const QCommandLineOption greeting(u"greeting"_s, u"Text written to each client once encrypted."_s, u"TEXT"_s);
    const QCommandLineOption noGreeting(u"no-greeting"_s, u"Write no greeting."_s);
    const QCommandLineOption noEcho(u"no-echo"_s, u"Do not echo what clients send."_s);
    const QCommandLineOption noHttpAnswer(
        u"no-http-answer"_s, u"Close plaintext HTTP clients without the short '400, use https' answer."_s);
    const QCommandLineOption timeout(
        u"handshake-timeout"_s, u"Handshake timeout in milliseconds (default 5000)."_s, u"MS"_s, u"5000"_s);
    const QCommandLineOption maxConnections(u"max-connections"_s,
        u"Stop after this many connections have ended (default: run until "
        "interrupted)."_s,
        u"N"_s);
    const QCommandLineOption pcap(u"pcap"_s,
        u"At exit, write every connection as pcapng for Wireshark to FILE (with the secrets when --keylog is on)."_s,
        u"FILE"_s);
    const QCommandLineOption capture(u"capture"_s,
        u"Record every event and session to this capture file (default: a new file in the data folder's "
        "captures/, kept 14 days, 1 GB in all); read it with 'tlslab show'."_s,
        u"FILE"_s);
    const QCommandLineOption noCapture(u"no-capture"_s, u"Write no capture file."_s);
    const QCommandLineOption captureWire(
        u"capture-wire"_s, u"Also record each connection's TLS bytes in the capture file."_s);
    const ListenerConfig defaults;
    const QCommandLineOption maxOpen(u"max-open"_s,
        u"Accept at most this many connections at once; others wait until one ends (default %1; 0: only the "
        "descriptor limit)."_s.arg(defaults.maxOpenConnections),
        u"N"_s, QString::number(defaults.maxOpenConnections));
    const QCommandLineOption idleTimeout(u"idle-timeout"_s,
        u"Close a connection after this many milliseconds without traffic after the handshake (default %1; 0: "
        "never)."_s.arg(defaults.idleTimeoutMs),
        u"MS"_s, QString::number(defaults.idleTimeoutMs));
    const QCommandLineOption maxBacklog(u"max-backlog"_s,
        u"Bytes waiting for a client that does not read before the listener stops reading from it and echoing "
        "(default %1)."_s.arg(defaults.maxBacklogBytes),
        u"BYTES"_s, QString::number(defaults.maxBacklogBytes));
    const QCommandLineOption backlogGrace(u"backlog-grace"_s,
        u"Close a client still behind on reading after this many milliseconds (default %1)."_s.arg(
            defaults.backlogGraceMs),
        u"MS"_s, QString::number(defaults.backlogGraceMs));
    const OutputOptions output;
    const TlsCommandOptions tlsOptions(
        u"Certificate (chain) file, PEM or DER, or a PKCS#12 bundle (default: the development certificate)."_s,
        u"CA certificates to check client certificates against."_s,
        u"ALPN protocols to accept, comma-separated (e.g. h2,http/1.1)."_s);
    tlsOptions.addTo(parser);
    output.addTo(parser);
    const QCommandLineOption printCommand(
        u"print-command"_s, u"Print the openssl s_server command that serves with the same options, and exit."_s);
    parser.addOptions(
        {listen, verify, greeting, noGreeting, noEcho, noHttpAnswer, timeout, maxConnections, printCommand});
    parser.addOptions({pcap, capture, noCapture, captureWire});
    parser.addOptions({maxOpen, idleTimeout, maxBacklog, backlogGrace});
    if (const auto exit = parseOrExit(parser, arguments))
        return *exit;
    if (!parser.positionalArguments().isEmpty()) {
        printError(u"serve takes no arguments besides options (got '%1')"_s.arg(parser.positionalArguments().first()));
        return ExitUsage;
    }

    ListenerConfig config;
    const auto endpoint = parseEndpoint(parser.value(listen), 4481);
    if (!endpoint) {
        printError(endpoint.error());
        return ExitUsage;
    }
    const QHostAddress address(endpoint->host == u"localhost" ? u"127.0.0.1"_s : endpoint->host);
    if (address.isNull()) {
        printError(u"'%1' is not an IP address to listen on"_s.arg(endpoint->host));
        return ExitUsage;
    }
    config.address = address;
    if (address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6 || address == QHostAddress::Any) {
        printError(u"warning: listening on all interfaces (%1): any host that can reach this machine can connect"_s.arg(
            address.toString()));
    }
    config.port = endpoint->port;

    TlsCommandOptions::Values tlsValues;
    if (const auto exit = tlsOptions.read(parser, tlsValues))
        return *exit;
    config.identity = tlsValues.identity;
    config.caCertificates = tlsValues.caCertificates.value_or(QList<QSslCertificate> {});
    config.protocol = tlsValues.protocol.value_or(config.protocol);
    config.alpnProtocols = tlsValues.alpn;
    config.tap = tlsValues.tap;
    config.keyLogPath = tlsValues.keyLogPath;
    const auto mode = peerVerifyFromName(parser.value(verify));
    if (!mode) {
        printError(u"--verify takes none, request or require, not '%1'"_s.arg(parser.value(verify)));
        return ExitUsage;
    }
    config.peerVerify = *mode;
    if (parser.isSet(greeting))
        config.greeting = parser.value(greeting).toUtf8();
    if (parser.isSet(noGreeting))
        config.greeting.clear();
    config.echo = !parser.isSet(noEcho);
    config.answerPlaintextHttp = !parser.isSet(noHttpAnswer);
    constexpr qint64 Day = 24 * 3600 * 1000;
    const auto handshakeMs = integerOption(parser, timeout, 1, Day, u"milliseconds"_s);
    const auto maxOpenValue = integerOption(parser, maxOpen, 0, 1'000'000, u"connections"_s);
    const auto idleMs = integerOption(parser, idleTimeout, 0, Day, u"milliseconds"_s);
    const auto backlogBytes = integerOption(parser, maxBacklog, 1024, qint64(1) << 32, u"bytes"_s);
    const auto graceMs = integerOption(parser, backlogGrace, 0, Day, u"milliseconds"_s);
    if (!handshakeMs || !maxOpenValue || !idleMs || !backlogBytes || !graceMs)
        return ExitUsage;
    config.handshakeTimeoutMs = int(*handshakeMs);
    config.maxOpenConnections = int(*maxOpenValue);
    config.idleTimeoutMs = int(*idleMs);
    config.maxBacklogBytes = *backlogBytes;
    config.backlogGraceMs = int(*graceMs);
    bool ok = false;
    int maximum = 0;
    if (parser.isSet(maxConnections)) {
        maximum = parser.value(maxConnections).toInt(&ok);
        if (!ok || maximum <= 0) {
            printError(u"--max-connections takes a positive number"_s);
            return ExitUsage;
        }
    }

    if (parser.isSet(printCommand)) {
        Identity identity;
        if (config.identity) {
            identity = *config.identity;
        } else {
            identity.certificatePath = DevCertificate::certificatePath();
            identity.keyPath = DevCertificate::keyPath();
        }
        printReproduceCommands({opensslServerCommand(config, identity)});
        return ExitOk;
    }

    std::unique_ptr<EventPrinter> printer;
    if (const auto exit = output.read(parser, printer))
        return *exit;

    // Everything is printed (and captured) as it happens: unless --pcap needs them at exit, neither the events nor
    // the ended sessions are kept, so that a long serve's memory stays flat.
    if (!parser.isSet(pcap))
        lab.timeline().setKeepsHistory(false);
    if (!parser.isSet(noCapture)) {
        CaptureOptions captureOptions;
        captureOptions.path = parser.value(capture);
        captureOptions.wire = parser.isSet(captureWire);
        const Status started = lab.startCapture(captureOptions);
        if (!started) {
            printError(started.error());
            return ExitFailed;
        }
    }

    Timeline &timeline = lab.timeline();
    // Without --pcap nothing exports the kept wire bytes at exit: keep only the newest session's (the capture file
    // takes each session's as it ends).
    if (!parser.isSet(pcap))
        WireStore::of(&timeline)->setByteLimit(0);
    // The lab outlives this function; the printer does not: the connection ends with it.
    const QObject printing;
    QObject::connect(&timeline, &Timeline::eventAppended, &printing,
        [printer = printer.get()](const Event &event) { printer->print(event); });
    // Every session that ends badly gets its verdict as its last event ("diagnosis").
    Diagnoser *diagnoser = Diagnoser::of(&timeline);
    diagnoser->setRecordsEvents(true);
    Listener &listener = lab.listener();
    // Before the listener says it started: whoever reads that line may signal at once (a signal that came earlier
    // is handled when the event loop runs).
    quitOnSignals(&listener, [] { QCoreApplication::quit(); });
    const Status status = listener.start(config);
    if (!status) {
        printError(status.error());
        return ExitFailed;
    }
    diagnoser->setLocalIdentity(listener.identity());

    int finished = 0;
    // When the last connection of a burst has gone, hand the memory it used back to the system: without this, glibc
    // keeps a storm's peak (hundreds of connections' buffers, freed but fragmented) for as long as serve runs.
    QTimer idleTrim;
    idleTrim.setSingleShot(true);
    idleTrim.setInterval(1000);
    QObject::connect(&idleTrim, &QTimer::timeout, &listener, [&listener] {
        if (listener.openConnections() == 0)
            releaseFreedMemory();
    });
    QObject::connect(&listener, &Listener::sessionFinished, &listener, [&] {
        if (maximum > 0 && ++finished >= maximum)
            QCoreApplication::quit();
        if (listener.openConnections() == 0)
            idleTrim.start();
    });
    QCoreApplication::exec();
    listener.stop();
    if (parser.isSet(pcap)) {
        const auto written = PcapngExport::writePcapng(timeline, {}, parser.value(pcap));
        if (!written) {
            printError(written.error());
            return ExitFailed;
        }
    }
    return ExitOk;
}

} // namespace TlsLab::Cli

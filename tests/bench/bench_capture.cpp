// Capture files: events per second recorded with the writer attached (its once-a-second flush running in the event
// loop), bytes per event on disk, and opening a 1,000,000-event capture. A benchmark: it prints, it asserts nothing
// about speed (it fails only if the capture does not read back whole).
#include "model/capture/capturereader.h"
#include "model/capture/capturewriter.h"
#include "model/timeline/timeline.h"
#include "model/tls/socketfacts.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>

#include <cstdio>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    constexpr int Count = 1'000'000;
    QTemporaryDir dir;
    if (!dir.isValid())
        return 1;
    const QString path = dir.filePath(u"bench.tlscap"_s);
    const QByteArray payload = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

    qint64 recordMs = 0;
    {
        Timeline timeline;
        CaptureOptions options;
        options.path = path;
        options.maxFileBytes = qint64(4) * 1024 * 1024 * 1024;
        auto writer = CaptureWriter::start(&timeline, options);
        if (!writer) {
            std::fprintf(stderr, "%s\n", qPrintable(writer.error()));
            return 1;
        }
        QElapsedTimer timer;
        timer.start();
        // Appended in slices with the event loop turning in between, as a listener does, so the flush timer runs.
        for (int i = 0; i < Count; ++i) {
            const quint64 session = quint64(i / 10 + 1);
            switch (i % 5) {
            case 0:
                timeline.record(session, Side::Server, EventKind::TcpAccepted, Severity::Info,
                    u"TCP connection from 127.0.0.1:"_s + QString::number(40000 + i % 20000),
                    {{u"peer", QString(u"127.0.0.1:"_s + QString::number(40000 + i % 20000))}});
                break;
            case 1:
                timeline.record(session, Side::Server, EventKind::ClientHello, Severity::Info,
                    u"ClientHello: SNI localhost, offers TLS 1.3, TLS 1.2"_s,
                    {{u"sni", u"localhost"_s}, {u"cipher_suites", 31}});
                break;
            default:
                timeline.record(session, Side::Server, EventKind::DataReceived, Severity::Info,
                    SocketFacts::dataSummary(false, payload), SocketFacts::dataDetails(payload));
            }
            if (i % 10000 == 0)
                QCoreApplication::processEvents();
        }
        writer.value()->flush();
        recordMs = timer.elapsed();
    }
    const qint64 size = QFileInfo(path).size();

    QElapsedTimer timer;
    timer.start();
    const auto read = CaptureReader::readFile(path);
    const qint64 openMs = timer.elapsed();
    if (!read || read->damaged || read->events.size() != Count) {
        std::fprintf(stderr, "capture did not read back whole: %s\n",
            qPrintable(read ? read->damage + u" events "_s + QString::number(read->events.size()) : read.error()));
        return 1;
    }
    std::printf("capture: %d events recorded with the writer attached in %lld ms (%.0f events/s, timeline included)\n",
        Count, recordMs, Count * 1000.0 / double(qMax<qint64>(recordMs, 1)));
    std::printf("capture: %lld bytes on disk, %.1f bytes per event\n", size, double(size) / Count);
    std::printf("capture: opening %d events took %lld ms (goal < 2000 ms)\n", Count, openMs);

    // The capture window's path: every record straight into a timeline, no Event values in between.
    Timeline into;
    timer.restart();
    CaptureReader::Handlers handlers;
    handlers.event = [&into](const EventHeader &header, QByteArrayView summary, QByteArrayView details) {
        into.appendEncoded(header, summary, details);
        return true;
    };
    handlers.session = [&into](const Session &session) {
        into.updateSession(session);
        return true;
    };
    const auto streamed = CaptureReader::readFile(path, handlers);
    into.announceSoon();
    const qint64 intoMs = timer.elapsed();
    if (!streamed || into.eventCount() != Count) {
        std::fprintf(stderr, "capture did not read into the timeline whole\n");
        return 1;
    }
    std::printf("capture: reading %d events into a timeline took %lld ms\n", Count, intoMs);
    return 0;
}

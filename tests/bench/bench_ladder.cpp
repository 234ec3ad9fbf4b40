// The handshake ladder of a 200-message session: building it from the timeline, painting the widget as it is shown
// (a 1024x768 window's worth of it in a scroll area), and exporting it whole as PNG and SVG. The session is made of
// the events the tap records, through the model's own types: a TLS 1.3 handshake seen by both ends of one connection,
// then KeyUpdates and records both ways, each message one event at the sender and one at the receiver.
// Prints "ladder.<name>: <value>" lines (medians of 21 runs); nothing here asserts on time.
#include "model/timeline/ladder.h"
#include "model/timeline/timeline.h"
#include "widgets/handshakeladder.h"

#include <QApplication>
#include <QBuffer>
#include <QElapsedTimer>
#include <QScrollArea>
#include <QTest>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Widgets;

namespace {
void print(const char *name, double value, const char *unit = "")
{
    std::printf("ladder.%s: %.2f%s\n", name, value, unit);
    std::fflush(stdout);
}

template<typename Work>
double medianMs(Work work, int runs = 21)
{
    QList<double> times;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer clock;
        clock.start();
        work();
        times.append(double(clock.nsecsElapsed()) / 1e6);
    }
    std::sort(times.begin(), times.end());
    return times.at(times.size() / 2);
}

struct Message
{
    Side from;
    QString type;
    qint64 bytes;
    bool encrypted;
    QString facts;
};

// Both ends of one connection in the timeline; returns the client's session id.
quint64 recordSession(Timeline &timeline, int messageCount)
{
    Session client;
    client.id = Timeline::newSessionId();
    client.side = Side::Client;
    Session server;
    server.id = Timeline::newSessionId();
    server.side = Side::Server;
    client.linkedSession = server.id;
    server.linkedSession = client.id;
    client.state = server.state = SessionState::Closed;
    timeline.updateSession(client);
    timeline.updateSession(server);

    QList<Message> messages {
        {Side::Client, u"ClientHello"_s, 1'712, false, u"TLS 1.3, x25519, ALPN h2"_s},
        {Side::Server, u"ServerHello"_s, 122, false, u"TLS 1.3, TLS_AES_256_GCM_SHA384, x25519"_s},
        {Side::Server, u"ChangeCipherSpec"_s, 6, false, {}},
        {Side::Server, u"EncryptedExtensions"_s, 25, true, u"ALPN h2"_s},
        {Side::Server, u"Certificate"_s, 1'230, true, u"2 certificates"_s},
        {Side::Server, u"CertificateVerify"_s, 79, true, u"ecdsa_secp256r1_sha256"_s},
        {Side::Server, u"Finished"_s, 52, true, {}},
        {Side::Client, u"ChangeCipherSpec"_s, 6, false, {}},
        {Side::Client, u"Finished"_s, 52, true, {}},
        {Side::Server, u"NewSessionTicket"_s, 250, true, u"lifetime 7200 s"_s},
        {Side::Server, u"NewSessionTicket"_s, 250, true, u"lifetime 7200 s"_s},
    };
    for (int i = 0; messages.size() < messageCount; ++i) {
        const Side from = (i % 2) ? Side::Server : Side::Client;
        messages.append(i % 4 < 2 ? Message {from, u"KeyUpdate"_s, 22, true, u"update_requested"_s}
                                  : Message {from, u"application data"_s, 1'024 + i, true, {}});
    }

    const qint64 start = nowUs();
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const Message &m = messages.at(i);
        const qint64 sentUs = start + i * 180;
        const quint64 sender = m.from == Side::Client ? client.id : server.id;
        const quint64 receiver = m.from == Side::Client ? server.id : client.id;
        const Side to = m.from == Side::Client ? Side::Server : Side::Client;
        if (m.type == u"application data"_s) {
            timeline.append(Event {sentUs, sender, m.from, EventKind::DataSent, Severity::Info,
                u"Sent %1 bytes"_s.arg(m.bytes), EventDetails {{u"bytes", m.bytes}}});
            timeline.append(Event {sentUs + 60, receiver, to, EventKind::DataReceived, Severity::Info,
                u"Received %1 bytes"_s.arg(m.bytes), EventDetails {{u"bytes", m.bytes}}});
            continue;
        }
        for (const bool sent : {true, false}) {
            const EventKind kind = m.type == u"ClientHello"_s ? EventKind::ClientHello : EventKind::TlsMessage;
            timeline.append(Event {sent ? sentUs : sentUs + 60, sent ? sender : receiver, sent ? m.from : to, kind,
                Severity::Info,
                // As the tap words it: "ServerHello sent: TLS 1.3, ..." ("ChangeCipherSpec received" without facts).
                m.type + (sent ? u" sent"_s : u" received"_s) + (m.facts.isEmpty() ? QString() : u": "_s + m.facts),
                EventDetails {{u"direction", sent ? u"sent"_s : u"received"_s}, {u"type", m.type}, {u"bytes", m.bytes},
                    {u"encrypted", m.encrypted}}});
        }
    }
    return client.id;
}
} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);

    Timeline timeline;
    const quint64 session = recordSession(timeline, 200);
    const Ladder built = Ladder::build(timeline, session);
    print("steps", double(built.steps.size()));
    print("events", double(timeline.eventCount()));
    if (built.steps.size() != 200 || !built.bothEnds()) {
        std::fprintf(stderr, "expected 200 steps with both ends, got %lld\n", qlonglong(built.steps.size()));
        return 1;
    }
    print("build_ms", medianMs([&] { (void)Ladder::build(timeline, session); }));

    // As shown: the ladder in the session details' scroll area, in a window of 1024x768.
    QScrollArea area;
    auto *ladder = new HandshakeLadder(&timeline);
    area.setWidget(ladder);
    area.setWidgetResizable(true);
    area.resize(1024, 768);
    area.show();
    if (!QTest::qWaitForWindowExposed(&area))
        return 1;
    ladder->showSession(session);
    QCoreApplication::processEvents();
    print("picture_height_px", double(ladder->pictureSize().height()));
    // repaint() paints synchronously: the whole paint of what the viewport shows (every rung is laid out and drawn,
    // clipped to the visible part).
    print("paint_visible_ms", medianMs([&] { ladder->repaint(); }));
    print("rebuild_and_paint_ms", medianMs([&] {
        ladder->showSession(0);
        ladder->showSession(session);
        ladder->repaint();
    }));
    print("export_png_ms", medianMs([&] { (void)ladder->toImage(); }, 7));
    print("export_svg_ms",
        medianMs(
            [&] {
                QBuffer buffer;
                buffer.open(QIODevice::WriteOnly);
                ladder->writeSvg(&buffer);
            },
            7));
    return 0;
}

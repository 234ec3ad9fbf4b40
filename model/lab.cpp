#include "model/lab.h"

#include "model/capture/capturewriter.h"
#include "model/capture/wirestore.h"
#include "model/timeline/timeline.h"
#include "model/tls/client.h"
#include "model/tls/listener.h"

#include <QHostAddress>
#include <QTimer>

#include <utility>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

Lab::Lab(QObject *parent)
    : QObject(parent)
    , m_timeline(std::make_unique<Timeline>())
    , m_listener(std::make_unique<Listener>(m_timeline.get()))
{
    WireStore::of(m_timeline.get()); // keeps each session's wire bytes and key log lines for the Wireshark export
}

Lab::~Lab() = default;

Status Lab::startCapture(const CaptureOptions &options)
{
    m_capture.reset();
    auto started = CaptureWriter::start(m_timeline.get(), options);
    if (!started)
        return Status::failure(started.error());
    m_capture = std::move(started.value());
    return {};
}

void Lab::stopCapture()
{
    m_capture.reset();
}

Client *Lab::createClient()
{
    // The caller may be running inside a finished client's own signal: delete those from the event loop, not here.
    bool retire = false;
    for (const auto &client : m_clients) {
        if (client->isFinished() && !m_retired.contains(client.get())) {
            m_retired.append(client.get());
            retire = true;
        }
    }
    if (retire)
        QTimer::singleShot(0, this, &Lab::deleteRetiredClients);
    m_clients.push_back(std::make_unique<Client>(m_timeline.get()));
    return m_clients.back().get();
}

void Lab::deleteRetiredClients()
{
    const QList<Client *> retired = std::exchange(m_retired, {});
    std::erase_if(m_clients, [&retired](const std::unique_ptr<Client> &c) { return retired.contains(c.get()); });
}

QList<Client *> Lab::clients() const
{
    QList<Client *> out;
    out.reserve(qsizetype(m_clients.size()));
    for (const auto &client : m_clients) {
        if (!m_retired.contains(client.get()))
            out.append(client.get());
    }
    return out;
}

Client *Lab::startPlaintextToListener(const QByteArray &payload)
{
    if (!m_listener->isListening())
        return nullptr;
    ClientConfig config;
    // A listener on every interface is reached on loopback.
    const QHostAddress a = m_listener->address();
    config.host = a == QHostAddress::Any || a == QHostAddress::AnyIPv4 ? u"127.0.0.1"_s
        : a == QHostAddress::AnyIPv6                                   ? u"::1"_s
                                                                       : a.toString();
    config.port = m_listener->port();
    config.mode = ClientMode::Plaintext;
    config.payload = payload;
    Client *client = createClient();
    client->start(config);
    return client;
}

} // namespace TlsLab::Model

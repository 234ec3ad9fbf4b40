#pragma once

#include "model/core/result.h"

#include <QByteArray>
#include <QList>
#include <QObject>

#include <memory>
#include <vector>

namespace TlsLab::Model {

class CaptureWriter;
class Client;
class Listener;
struct CaptureOptions;
class Timeline;

// The composition root of a run: it owns the Timeline, the Listener and every Client, so that the window and the
// command line only use them. main.cpp makes one Lab and hands it to the GUI or to the command line; nothing else
// needs to know in which order these die (see the members).
class Lab final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Lab)

public:
    explicit Lab(QObject *parent = nullptr);
    ~Lab() override;

    Timeline &timeline() const { return *m_timeline; }
    Listener &listener() const { return *m_listener; }

    // A new client owned by the Lab, not started: connect to its signals, then call start(). (Client::start() can
    // finish synchronously, e.g. on a refused loopback connection, so starting here would lose that signal.)
    // Clients that had finished when this is called are deleted from the event loop soon after; the others stay.
    Client *createClient();
    // The clients kept now (open ones, and those that finished since the last createClient()), oldest first.
    QList<Client *> clients() const;

    // Starts a plaintext client to the running listener sending the payload; nullptr when it is not listening.
    Client *startPlaintextToListener(const QByteArray &payload);

    // Writes everything the timeline records from now on to a capture file (CaptureWriter), replacing a running
    // capture; the window and `tlslab serve` start one by default. capture() is null when none runs.
    Status startCapture(const CaptureOptions &options);
    void stopCapture();
    CaptureWriter *capture() const { return m_capture.get(); }

private:
    void deleteRetiredClients();

    // Declared in the order they are made; C++ destroys members in reverse, so clients end first (they record into
    // the timeline while closing), then the listener and its connections, then the timeline they all wrote to.
    std::unique_ptr<Timeline> m_timeline;
    std::unique_ptr<CaptureWriter> m_capture; // ends after the connections, so it keeps their last events
    std::unique_ptr<Listener> m_listener;
    std::vector<std::unique_ptr<Client>> m_clients;
    QList<Client *> m_retired; // finished, deleted from the event loop
};

} // namespace TlsLab::Model

#pragma once

#include "model/tls/client.h"

#include <QElapsedTimer>
#include <QList>
#include <QPointer>
#include <QSslCertificate>
#include <QWidget>

#include <memory>

class QLineEdit;
class QSettings;
class QTimer;

namespace Ui {
class ClientPanel;
}

namespace TlsLab::Model {
class Lab;
class Listener;
} // namespace TlsLab::Model

namespace TlsLab::Widgets {

// The interactive client: where to connect, how (TLS with its trust settings, or deliberately plaintext with a
// payload), a send box and the received text. When verification fails it lists each error with the certificate it
// concerns and lets the user continue anyway for this connection only, or abandon it.
class ClientPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClientPanel)

public:
    enum class Trust { System, Listener, File };

    explicit ClientPanel(Model::Lab *lab, QWidget *parent = nullptr);
    ~ClientPanel() override;

    // Starts a connection with the form's settings; returns false (and shows why) on bad input.
    bool connectToServer();
    // Connects again to the server of the last TLS connection, with its settings, resuming its session. False when
    // there is nothing to resume (the last connection was plaintext, or the server offered no ticket or session).
    bool reconnectResuming();
    bool canResume() const;
    void closeConnection();
    void continueAnyway();
    void abandon();
    void sendText();
    // Fills host and port from the running listener and trusts its certificate.
    void useListener();

    void setTrust(Trust trust);
    void setMode(Model::ClientMode mode);
    Model::Client *client() const { return m_client; }
    QString statusText() const;
    QString verificationText() const;
    // Whole seconds a "continue anyway" decision has been pending; -1 when none is.
    int pendingSeconds() const;

    void loadSettings(const QSettings &settings);
    void saveSettings(QSettings &settings) const;

Q_SIGNALS:
    void clientStarted(quint64 sessionId);
    // "View certificate" while deciding: the certificates the verification errors name.
    void certificateChainRequested(const QList<QSslCertificate> &chain, quint64 sessionId);

private:
    void updateMode();
    bool startClient(const Model::ClientConfig &config);
    void keepSessionToResume(Model::Client *client);
    void updateButtons();
    void setStatus(const QString &text, bool error = false);
    void onVerificationFailed(const QList<QSslError> &errors);
    void showPendingTime();
    QString listenerHost() const; // where a client reaches the listener (a wildcard address becomes loopback)
    void hideVerification();

    std::unique_ptr<Ui::ClientPanel> m_ui;
    Model::Lab *m_lab; // owns the clients
    Model::Listener *m_listener;
    QPointer<Model::Client> m_client;
    Model::ClientConfig m_lastConfig; // of the last connection started, for "reconnect, resuming"
    QByteArray m_resumeTicket; // the session the last connection can be resumed with; empty: none offered
    QList<QSslCertificate> m_pendingChain;
    quint16 m_listenerPort = 0; // the port the listener last started on (0: not started yet)
    QElapsedTimer m_pendingSince;
    QTimer *m_pendingClock = nullptr;
};

} // namespace TlsLab::Widgets

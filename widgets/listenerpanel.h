#pragma once

#include "model/tls/listener.h"

#include <QWidget>

#include <memory>

class QLineEdit;
class QSettings;

namespace Ui {
class ListenerPanel;
}

namespace TlsLab::Widgets {

// The form that configures, starts and stops the Listener, shows its state and counters, and fires a plaintext
// client at it. Start failures (port in use, unreadable key) are shown inline; the listener then stays stopped.
class ListenerPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ListenerPanel)

public:
    // Where the listener's certificate comes from; the values are stored in the settings.
    enum class CertificateSource { Development = 0, Files = 1, Generate = 2 };

    explicit ListenerPanel(Model::Listener *listener, QWidget *parent = nullptr);
    ~ListenerPanel() override;

    // Starts with the form's settings; returns false (and shows why) when it could not.
    bool startListener();
    void stopListener();
    void toggleListener();
    // Builds the payload chosen in the form and emits plaintextConnectRequested(); shows bad input inline.
    void requestPlaintextConnect();
    // Use certificate and key files (e.g. just generated): selects "from files" and fills them in.
    void useCertificateFiles(const QString &certificatePath, const QString &keyPath);
    // The user closed the generation dialog without a certificate: go back to the previous source.
    void cancelGenerate();

    QString errorText() const;
    QString stateText() const;

    void loadSettings(const QSettings &settings);
    void saveSettings(QSettings &settings) const;

Q_SIGNALS:
    void plaintextConnectRequested(const QByteArray &payload);
    // "Generate…" was chosen as the certificate source (the certificate dialog plugs in here).
    void generateCertificateRequested();

private:
    void updateState();
    void updateCounters();
    void updateCertificateSource();
    void showError(const QString &message);

    std::unique_ptr<Ui::ListenerPanel> m_ui;
    CertificateSource m_previousCertificateSource = CertificateSource::Development;
    Model::Listener *m_listener;
};

} // namespace TlsLab::Widgets

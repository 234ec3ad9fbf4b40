#pragma once

#include "model/certs/certificategenerator.h"
#include "model/certs/certificateplan.h"
#include "model/certs/identity.h"

#include <QDialog>
#include <QFutureWatcher>
#include <QHash>
#include <QStringList>

#include <array>
#include <atomic>
#include <memory>
#include <optional>

class QLineEdit;
class QListWidget;
class QTimer;

namespace Ui {
class CertificateDialog;
}

namespace TlsLab::Widgets {

// The certificate generation dialog: a profile (self-signed server, CA, intermediate, server or client leaf) prefills
// sensible usages and dates, every field stays editable, problems are shown as the user types (Generate is disabled
// until there are none), and a summary lists exactly which files will be written where. Key usage and extended key
// usage are checkable lists offering only what the profile and key type allow. Generation runs on a worker thread
// with a busy indicator and a prompt Cancel; the event loop never blocks. The output folder and the last CA made are
// remembered (QSettings, group "certificates") and offered next time; passphrases are never stored.
class CertificateDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CertificateDialog)

public:
    explicit CertificateDialog(QWidget *parent = nullptr);
    ~CertificateDialog() override;

    void setProfile(Model::CertificateProfile profile);
    Model::CertificateProfile profile() const;
    void setKeyType(Model::KeyType type);
    Model::KeyType keyType() const;
    void setOutputDirectory(const QString &directory);
    QString outputDirectory() const;
    void setFilePrefix(const QString &prefix);
    // Prefills the issuer (for the signed profiles) with a certificate file and its key file.
    void setIssuerFiles(const QString &certificatePath, const QString &keyPath);
    // Whether the output folder is the one remembered from the last certificates made (callers then leave it alone).
    bool remembersOutputDirectory() const { return m_remembersOutputDirectory; }

    // The request the form describes (without generating anything).
    Model::CertificateRequest request() const;
    // The files Generate would write.
    QList<Model::CertificatePlan::File> plannedFiles() const;
    // Every problem that keeps Generate disabled; empty when the form is complete.
    QStringList problems() const { return m_problems; }
    // What is worth knowing but does not keep Generate disabled (an expired validity, a lifetime browsers refuse).
    QStringList notes() const { return m_notes; }
    // Days from now until the end date (negative: already expired).
    int validDays() const;
    void setValidDays(int days);
    bool isGenerating() const { return m_watcher != nullptr; }

    // Starts generating (when the form has no problems); returns false otherwise.
    bool generate();
    // Cancels a running generation; the worker stops at its next progress report.
    void cancelGeneration();

    void reject() override;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

Q_SIGNALS:
    // A certificate was generated and all its files were written.
    void identityCreated(const TlsLab::Model::Identity &identity);
    // Generation failed or was cancelled; the message says why.
    void generationFailed(const QString &message);

private:
    // Profiles whose subject names, SANs and file prefixes fit one another (a host name fits both server profiles,
    // not a CA).
    enum class Family { Server, Ca, Intermediate, Client };
    struct Remembered
    {
        QString commonName;
        QString prefix;
        QString sans;
    };

    static Family familyOf(Model::CertificateProfile profile);
    void applyProfileDefaults();
    void applyValidity(int days);
    void updateValidDays();
    void populateUsageLists();
    void layoutUsageList(QListWidget *list);
    void updateUsageLists();
    QStringList checkedUsages(const QListWidget *list) const;
    void offerLastCa();
    void validate();
    void loadIssuer();
    void updateSummary();
    QString describe(const Model::CertificatePlan::File &file) const;
    void setGenerating(bool generating);
    void generationFinished();
    void browseIssuerFile(QLineEdit *edit, const QString &title);
    void browseOutputDirectory();
    void setAutoText(QLineEdit *edit, const QString &text);

    std::unique_ptr<Ui::CertificateDialog> m_ui;
    std::optional<Model::Identity> m_issuer;
    QString m_issuerError;
    QStringList m_problems;
    // The text each auto-filled field was last given, so profile changes update only fields the user left alone.
    QHash<QLineEdit *, QString> m_autoTexts;
    QString m_autoSans;
    // What the user typed for each family, restored when they come back to it.
    std::array<Remembered, 4> m_remembered;
    std::optional<Model::CertificateProfile> m_appliedProfile;
    bool m_validityEdited = false; // the user set the dates: profile changes keep them
    bool m_usagesEdited = false; // the user ticked a usage: profile changes keep what fits
    bool m_updating = false; // programmatic changes are not the user's
    bool m_remembersOutputDirectory = false;
    QStringList m_notes;
    QStringList m_justWritten; // the files of the last success (no red "already exists" for them)

    QFutureWatcher<Model::CertificatePlan::Outcome> *m_watcher = nullptr;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    std::shared_ptr<std::atomic<int>> m_progress;
    QTimer *m_progressTimer = nullptr;
};

} // namespace TlsLab::Widgets

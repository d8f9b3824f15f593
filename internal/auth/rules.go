package auth

import (
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
)

// Rule says who may call a procedure. The interceptor checks the role class; handlers then check the
// scope (which edition, which city, whose ballot).
type Rule uint8

// Rules combine with |: Expert|Organiser admits both.
const (
	// Public admits anyone, signed in or not.
	Public Rule = 1 << iota
	// SignedIn admits any authenticated caller.
	SignedIn
	// Organiser admits callers the configuration makes organisers.
	Organiser
	// Expert admits callers holding an expert role in some edition.
	Expert
	// Juror admits callers holding a juror role in some edition.
	Juror
	// Translator admits callers holding a translator role in some edition.
	Translator
)

// Rules is the whole authorization table: one rule per procedure. A procedure missing from it is
// refused (default deny), and a test walks every service descriptor to prove none is missing.
var Rules = map[string]Rule{
	v1.EditionServiceCreateEditionProcedure:       Organiser,
	v1.EditionServiceGetEditionProcedure:          Public,
	v1.EditionServiceListEditionsProcedure:        Public,
	v1.EditionServiceSetTimelineProcedure:         Organiser,
	v1.EditionServiceChangeStageProcedure:         Organiser,
	v1.EditionServiceCreateCityProcedure:          Organiser,
	v1.EditionServiceListCitiesProcedure:          Public,
	v1.EditionServiceAddEditionCityProcedure:      Organiser,
	v1.EditionServiceRemoveEditionCityProcedure:   Organiser,
	v1.EditionServiceCreateCategoryProcedure:      Organiser,
	v1.EditionServiceSetLanguagesProcedure:        Organiser,
	v1.EditionServiceSetTextsProcedure:            Organiser,
	v1.EditionServiceSetDataLicenceProcedure:      Organiser,
	v1.EditionServiceListCategoriesProcedure:      Public,
	v1.EditionServiceCreateCriterionProcedure:     Organiser,
	v1.EditionServiceListCriteriaProcedure:        Public,
	v1.EditionServiceGetEditionDashboardProcedure: Organiser,

	v1.IdentityServiceGetMeProcedure:               SignedIn,
	v1.IdentityServiceCreateInvitationProcedure:    Organiser,
	v1.IdentityServiceListInvitationsProcedure:     Organiser,
	v1.IdentityServiceImportInvitationsProcedure:   Organiser,
	v1.IdentityServiceRevokeInvitationProcedure:    Organiser,
	v1.IdentityServiceRevokeRoleProcedure:          Organiser,
	v1.IdentityServiceListRoleAssignmentsProcedure: Organiser,

	v1.ReportServiceGetReportProcedure:            Organiser | Expert | Juror,
	v1.ReportServiceSaveReportProcedure:           Expert,
	v1.ReportServiceSubmitReportProcedure:         Expert,
	v1.ReportServiceListReportVersionsProcedure:   Organiser | Expert,
	v1.ReportServiceGetReportVersionProcedure:     Organiser | Expert,
	v1.ReportServiceRestoreReportVersionProcedure: Expert,
	v1.ReportServiceExportReportPdfProcedure:      Organiser | Expert | Juror,
	v1.ReportServiceUploadAttachmentProcedure:     Expert,
	v1.ReportServiceDeleteAttachmentProcedure:     Expert,
	v1.ReportServicePublishAttachmentProcedure:    Organiser,
	v1.ReportServiceListReportStatusesProcedure:   Organiser,
	v1.ReportServiceReturnReportProcedure:         Organiser,
	v1.ReportServiceAcceptReportProcedure:         Organiser,
	v1.ReportServiceListNominationsProcedure:      Organiser | Expert | Juror,
	v1.ReportServiceNominateProcedure:             Organiser,
	v1.ReportServiceUnnominateProcedure:           Organiser,

	v1.JuryServiceListBallotNominationsProcedure: Juror,
	v1.JuryServiceGetBallotProcedure:             Juror,
	v1.JuryServiceSaveBallotProcedure:            Juror,
	v1.JuryServiceCastBallotProcedure:            Juror,
	v1.JuryServiceDeclareConflictProcedure:       Juror,
	v1.JuryServiceAbstainProcedure:               Juror,
	v1.JuryServiceGetJuryProgressProcedure:       Organiser,

	v1.ResultsServiceGetTallyRuleProcedure:                Public,
	v1.ResultsServiceSetTallyRuleProcedure:                Organiser,
	v1.ResultsServiceGetTallyProcedure:                    Organiser,
	v1.ResultsServiceRecordJuryDecisionProcedure:          Organiser,
	v1.ResultsServiceSetDistinctionJustificationProcedure: Organiser,
	v1.ResultsServiceSetJuryRecommendationsProcedure:      Organiser,
	v1.ResultsServiceGetPublicResultsProcedure:            Public,
	v1.ResultsServiceListPublicBallotsProcedure:           Public,
	v1.ResultsServiceExportResultsProcedure:               Public,

	// Deliberation (issue 20) shows every juror's marks: organisers only, and only after the close
	// (the service refuses before it); how it labels jurors is the organisers' setting.
	v1.ResultsServiceGetDeliberationProcedure:      Organiser,
	v1.ResultsServiceExportDeliberationProcedure:   Organiser,
	v1.EditionServiceSetDeliberationNamesProcedure: Organiser,

	// The public archive (issue 19): announced editions, cities and practices.
	v1.ArchiveServiceListPublicEditionsProcedure:      Public,
	v1.ArchiveServiceGetPublicEditionResultsProcedure: Public,
	v1.ArchiveServiceGetPublicCityProcedure:           Public,
	v1.ArchiveServiceGetPublicPracticeProcedure:       Public,

	v1.AuditServiceGetPublicKeyProcedure:        Public,
	v1.AuditServiceGetCheckpointProcedure:       Public,
	v1.AuditServiceGetInclusionProofProcedure:   Public,
	v1.AuditServiceGetConsistencyProofProcedure: Public,
	v1.AuditServiceExportBundleProcedure:        Public,
	// The timeline names people and shows the reasons behind commitments: organisers (and an
	// edition's observers, as for every organiser's read) only.
	v1.AuditServiceListEditionEventsProcedure: Organiser,

	v1.SearchServiceSearchPracticesProcedure: Public,

	// Personal data (issue 21): erasing and exporting a person are platform-wide, so an edition's own
	// organisers and observers are refused (the service checks that the caller is a platform
	// organiser, since an invitation id would otherwise scope the call to one edition).
	v1.PrivacyServiceErasePersonProcedure:      Organiser,
	v1.PrivacyServiceExportPersonDataProcedure: Organiser,
	v1.PrivacyServiceGetPrivacyNoticeProcedure: Public,
	v1.PrivacyServiceSetPrivacyNoticeProcedure: Organiser,

	// Translations: translators write into their languages, organisers exchange files with agencies,
	// jurors read the shortlist's translations (the service checks edition, language and stage).
	v1.TranslationServiceListTranslatablePracticesProcedure: Organiser | Translator,
	v1.TranslationServiceGetPracticeTranslationProcedure:    Organiser | Translator,
	v1.TranslationServiceSavePracticeTranslationProcedure:   Translator,
	v1.TranslationServiceExportXliffProcedure:               Organiser,
	v1.TranslationServiceImportXliffProcedure:               Organiser,
	v1.TranslationServiceListBallotTranslationsProcedure:    Organiser | Juror,
	// The expert's preview of their report as jurors read it (the service checks it is their city).
	v1.TranslationServiceListReportTranslationsProcedure: Organiser | Expert,

	// Past editions: entered by organisers from the published record, read by anyone.
	v1.PastEditionServiceImportPastEditionProcedure: Organiser,
	v1.PastEditionServiceListPastEditionsProcedure:  Public,
	v1.PastEditionServiceGetPastEditionProcedure:    Public,

	// Mail holds people's addresses and what is said to them: organisers only.
	v1.MailServiceListOutboxProcedure:           Organiser,
	v1.MailServiceGetOutboxMailProcedure:        Organiser,
	v1.MailServiceEditOutboxMailProcedure:       Organiser,
	v1.MailServiceReleaseOutboxMailProcedure:    Organiser,
	v1.MailServiceDiscardOutboxMailProcedure:    Organiser,
	v1.MailServiceGetMailPolicyProcedure:        Organiser,
	v1.MailServiceSetMailPolicyProcedure:        Organiser,
	v1.MailServiceListDeliveryAttemptsProcedure: Organiser,
	// An edition's own wording of its mail.
	v1.MailServiceListMailTemplatesProcedure:   Organiser,
	v1.MailServiceSetMailTemplateProcedure:     Organiser,
	v1.MailServicePreviewMailTemplateProcedure: Organiser,
	v1.MailServiceSendReminderProcedure:        Organiser,
	v1.MailServiceMessageRoleProcedure:         Organiser,
}

// admits reports whether the rule lets p call the procedure; p is nil for an anonymous caller.
func (r Rule) admits(p *Principal) bool {
	switch {
	case r&Public != 0:
		return true
	case p == nil:
		return false
	case r&SignedIn != 0:
		return true
	case r&Organiser != 0 && p.Organiser:
		return true
	case r&Expert != 0 && p.hasRole(RoleExpert):
		return true
	case r&Juror != 0 && p.hasRole(RoleJuror):
		return true
	case r&Translator != 0 && p.hasRole(RoleTranslator):
		return true
	}
	return false
}

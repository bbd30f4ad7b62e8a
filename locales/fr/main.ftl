# Interface de Casekeep, français.

skip-to-content = Aller au contenu
nav-label = Navigation principale
nav-home = Accueil
nav-cases = Dossiers
nav-account = Mon compte
nav-sign-out = Se déconnecter

sign-in-title = Connexion
sign-in-button = Se connecter
field-username = Nom d’utilisateur
field-password = Mot de passe
field-full-name = Nom complet
field-role = Rôle
field-language = Langue
language-label = Langue
language-browser = Celle de mon navigateur
save-button = Enregistrer

password-title = Changer votre mot de passe
password-required-notice = Vous vous êtes connecté avec un mot de passe à usage unique. Choisissez votre propre mot de passe pour continuer.
field-current-password = Mot de passe actuel
field-new-password = Nouveau mot de passe
field-confirm-password = Répétez le nouveau mot de passe
password-hint = Au moins { $min } caractères, sans votre nom d’utilisateur.
password-button = Changer le mot de passe
password-mismatch = Les deux nouveaux mots de passe ne sont pas identiques.
password-current-wrong = Le mot de passe actuel est incorrect.
password-same-as-old = Le nouveau mot de passe doit être différent de l’actuel.
password-too-weak = Le nouveau mot de passe doit comporter au moins { $min } caractères et ne pas contenir votre nom d’utilisateur.

home-title = Accueil
home-welcome = Bienvenue, { $name }
home-cases-text = Retrouver, enregistrer et suivre les dossiers dont vous vous occupez.
home-account-text = Votre mot de passe et votre langue.

cases-title = Dossiers
cases-empty = Aucun dossier à afficher.

account-title = Mon compte
account-change-password = Changer mon mot de passe

error-title = Une erreur est survenue
error-home-link = Retour à l’accueil
error-bad-request = La demande n’a pas pu être comprise.
error-unauthenticated = Connectez-vous pour continuer.
error-invalid-credentials = Nom d’utilisateur ou mot de passe incorrect.
error-account-locked = Trop d’échecs de connexion : ce compte est bloqué pour un moment. Réessayez plus tard ou contactez un administrateur.
error-password-change-required = Changez d’abord votre mot de passe à usage unique.
error-forbidden = Vous n’avez pas l’autorisation de faire ceci.
error-csrf = Ce formulaire a expiré ou ne provient pas de Casekeep. Rechargez la page et réessayez.
error-not-found = Cette page n’existe pas.
error-conflict = Quelqu’un d’autre a modifié ceci entre-temps.
error-invalid = Certaines informations ne sont pas valides.
error-too-large = Le fichier est trop volumineux. Les fichiers de 20 Mio au plus sont acceptés.
error-rate-limited = Trop de tentatives. Attendez une minute et réessayez.
error-unavailable = Casekeep n’est pas disponible pour le moment. Réessayez dans quelques minutes.
error-internal = Une erreur interne s’est produite. Elle a été consignée ; si elle se reproduit, prévenez votre administrateur.

role-superuser = Super-utilisateur
role-system-admin = Administrateur système
role-caseworker = Travailleur social
role-case-manager = Gestionnaire de cas
role-referral-recipient = Destinataire de référencements
role-dpo = Délégué à la protection des données
role-auditor = Auditeur

cases-new-button = Nouveau dossier
cases-new-title = Enregistrer un nouveau dossier
cases-edit-title = Modifier le dossier { $id }
cases-edit-plain = Modifier le dossier
cases-edit-button = Modifier
cases-history-link = Historique des modifications
cases-close-button = Clôturer le dossier
cases-reopen-button = Rouvrir le dossier
cases-search-label = Nom ou numéro de dossier
cases-search-hint = p. ex. Mohammed Ali, ou CP-2026-000012
cases-filter-status = Statut
cases-filter-sex = Sexe
cases-filter-risk = Niveau de risque
cases-filter-age-from = Âge à partir de
cases-filter-age-to = Âge jusqu’à
cases-filter-flagged = Signalés seulement
cases-flagged = Signalé
cases-count = { $count ->
    [one] Un dossier
   *[other] { $count } dossiers
}
cases-col-id = Numéro
cases-col-name = Nom
cases-col-age = Âge
cases-col-registered = Enregistré le
cases-col-updated = Dernière modification
cases-col-sex = Sexe
cases-col-risk = Risque
cases-col-status = Statut
cases-col-owner = Travailleur social
filter-any = Tous
filter-apply = Appliquer
filter-clear = Effacer les filtres
status-open = Ouvert
status-closed = Fermé
pager-label = Pages
pager-previous = Page précédente
pager-next = Page suivante
pager-position = Page { $page } sur { $pages }
form-has-errors = Certaines informations ne sont pas valides. Les champs concernés sont signalés ci-dessous.
subform-add = Ajouter
subform-remove = Supprimer cette entrée
subform-none = Rien n’est encore enregistré.
cancel-link = Annuler
value-yes = Oui
value-no = Non
conflict-title = Quelqu’un d’autre a modifié ce dossier pendant que vous le modifiiez
conflict-explain = Ses modifications sont conservées. Les vôtres sont reprises dans le formulaire ci-dessous, par-dessus les siennes. Vérifiez les champs signalés, puis enregistrez à nouveau.
conflict-field = Champ
conflict-by = Modifié par
conflict-now = Valeur actuelle
conflict-yours = Votre valeur
flags-title = Signalements
flags-reason = Motif du signalement
flags-add-button = Signaler
flags-unflag-reason = Motif de la levée du signalement
flags-unflag-button = Lever le signalement
flags-removed = Signalement levé
notes-add-title = Ajouter une note
notes-subject = Objet
notes-text = Note
notes-add-button = Ajouter la note
history-title = Historique des modifications
history-back = Retour au dossier
history-from = Avant
history-to = Après
history-create = Enregistrement
history-update = Modification
history-disable = Désactivation
history-flag = Signalement
history-unflag = Signalement levé
validation-required = Ce champ est obligatoire.
validation-not_text = Saisissez du texte.
validation-too_long = C’est trop long.
validation-unknown_option = Choisissez l’une des options proposées.
validation-not_list = Choisissez parmi les options proposées.
validation-not_boolean = Cochez ou décochez cette case.
validation-out_of_range = Ce nombre est hors de la plage autorisée.
validation-not_a_number = Saisissez un nombre.
validation-in_future = Cette date ne peut pas être dans le futur.
validation-not_a_date = Saisissez une date.
validation-not_object = Cette entrée n’est pas valide.
history-record-state = État de la fiche

admin-edit = Modifier
admin-problem-required = Ce champ est obligatoire.
admin-problem-too-long = C'est trop long.
admin-problem-control-characters = Ce texte contient des caractères qui ne peuvent pas être affichés.
admin-problem-unknown-language = Cette langue n'est pas proposée.
admin-problem-invalid-code = Un code a au plus 64 caractères, sans caractères de contrôle.
admin-problem-taken = Ce code est déjà utilisé.
admin-problem-too-deep = Aucun lieu ne peut se trouver sous un lieu de niveau administratif 5.
admin-problem-unknown-location = Aucun lieu n'a ce code.
admin-problem-wrong-level = Le lieu supérieur doit être exactement un niveau administratif au-dessus.

admin-locations-title = Lieux
locations-count = { $count ->
    [one] Un lieu
   *[other] { $count } lieux
}
locations-empty = Aucun lieu pour l'instant. Ajoutez un pays ou importez un fichier HXL.
locations-add-country = Ajouter un pays
locations-add-under = Ajouter un lieu en dessous
locations-disabled = désactivé
locations-more = { $count ->
    [one] Afficher le lieu en dessous
   *[other] Afficher les { $count } lieux en dessous
}
locations-whole-tree = Afficher toute l'arborescence
locations-subtree = Lieux sous { $id }
locations-new-title = Ajouter un lieu
locations-edit-title = Modifier le lieu { $id }
locations-field-code = Code
locations-field-code-hint = Le code du lieu (P-code), par ex. XX0101. Il ne pourra plus être modifié : les dossiers le conservent.
locations-field-parent = Sous (code du lieu du niveau supérieur)
locations-field-parent-hint = Vide pour un pays. Un lieu ne peut être déplacé que sous un autre lieu du même niveau que son parent actuel.
locations-field-type = Type
locations-field-type-hint = par ex. province, district
locations-field-names = Noms
locations-state-disabled = Ce lieu est désactivé.
locations-disable-hint = Un lieu désactivé n'est plus proposé dans les formulaires ; les dossiers qui l'indiquent le conservent. Les lieux ne sont jamais supprimés.
locations-disable-button = Désactiver ce lieu
locations-enable-button = Réactiver ce lieu
locations-import-title = Importer des lieux depuis un fichier HXL
locations-import-hint = Un fichier CSV dont la première ligne (ou la deuxième, après une ligne de titres) contient les balises HXL : #country+code, #adm1+code à #adm5+code, et des noms comme #adm1+name, #adm1+name+i_fr ou #adm1+name+i_ar. 20 Mio au plus. Si le fichier comporte le moindre problème, rien n'est enregistré.
locations-import-file = Fichier HXL (CSV)
locations-import-button = Importer
locations-import-no-file = Choisissez un fichier à importer.
locations-import-done = Le fichier a été importé.
locations-import-created = Lieux ajoutés : { $count }
locations-import-updated = Lieux dont les noms ont changé : { $count }
locations-import-unchanged = Lieux déjà à jour : { $count }
locations-import-failed = Rien n'a été importé : le fichier présente les problèmes listés ci-dessous. Corrigez-les et importez de nouveau tout le fichier.
locations-report-where = Emplacement
locations-report-problem = Problème
locations-back = Retour aux lieux

hxl-at-row = ligne { $row }
hxl-at-row-column = ligne { $row }, { $tag }
hxl-empty = Le fichier est vide.
hxl-not-utf8 = Le fichier n'est pas du texte UTF-8. Enregistrez-le au format « CSV UTF-8 » et importez-le de nouveau.
hxl-unreadable = Cette ligne ne peut pas être lue comme du CSV.
hxl-no-hashtag-row = Il n'y a pas de ligne de balises HXL : la première ligne, ou la deuxième après une ligne de titres, doit contenir les balises, comme #country+code.
hxl-no-location-columns = Aucune colonne n'a de balise de lieu (#country+code, #adm1+code à #adm5+code).
hxl-no-data-rows = Le fichier ne décrit aucun lieu : aucune ligne après la ligne de balises n'a de code.
hxl-unknown-tag = La colonne { $column } a une balise que Casekeep ne connaît pas. Utilisez #country ou #adm1 à #adm5 avec +code ou +name, ou supprimez la colonne.
hxl-unsupported-language = Colonne { $column } : les noms ne peuvent être que dans ces langues : { $languages }.
hxl-repeated-column = La colonne { $column } répète la balise de la colonne { $first }.
hxl-no-code-column = Ces noms n'ont pas de colonne de code au même niveau.
hxl-missing-parent-level = Le fichier n'a pas de colonne { $parent } : ces lieux n'ont donc pas de parent.
hxl-missing-code = Un nom est donné ici sans code.
hxl-missing-parent-code = { $code } a besoin du code du lieu supérieur sur cette ligne.
hxl-bad-code = Un code a au plus { $max } caractères, sans caractères de contrôle.
hxl-bad-name = Un nom a au plus { $max } caractères, sans caractères de contrôle.
hxl-other-level-row = { $code } est à un autre niveau administratif à la ligne { $other }.
hxl-other-level-db = { $code } existe déjà dans Casekeep à un autre niveau administratif.
hxl-broken-parent-row = Parent incohérent : { $code } est sous { $parent } à la ligne { $other }.
hxl-broken-parent-db = Parent incohérent : { $code } est sous { $parent } dans Casekeep. S'il a vraiment changé, déplacez-le d'abord dans Casekeep.
hxl-name-differs = { $code } porte un autre nom à la ligne { $other }.
hxl-too-many = … et { $count } autres problèmes, non listés.

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
cases-empty = Aucun dossier à afficher pour le moment.

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

<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="fr_CA" sourcelanguage="en_CA">
<context>
    <name>EndOfShiftDialog</name>
    <message>
        <location filename="../../ui/shift.py" line="58" />
        <source>End of shift</source>
        <translation>Fin du quart</translation>
    </message>
    <message>
        <location filename="../../ui/shift.py" line="65" />
        <source>These streets are not swept. Give a reason, or leave them open.</source>
        <translation>Ces rues ne sont pas balayées. Donnez une raison ou laissez-les ouvertes.</translation>
    </message>
    <message>
        <location filename="../../ui/shift.py" line="106" />
        <source>Leave the rest open</source>
        <translation>Laisser le reste ouvert</translation>
    </message>
    <message>
        <location filename="../../ui/shift.py" line="109" />
        <source>Keep sweeping</source>
        <translation>Continuer à balayer</translation>
    </message>
    <message>
        <location filename="../../ui/shift.py" line="112" />
        <location filename="../../ui/shift.py" line="155" />
        <source>End shift</source>
        <translation>Finir le quart</translation>
    </message>
    <message>
        <location filename="../../ui/shift.py" line="130" />
        <source>Parked
cars</source>
        <translation>Voitures
garées</translation>
    </message>
    <message>
        <location filename="../../ui/shift.py" line="131" />
        <source>Construction</source>
        <translation>Travaux</translation>
    </message>
    <message>
        <location filename="../../ui/shift.py" line="132" />
        <source>Blocked</source>
        <translation>Bloqué</translation>
    </message>
    <message>
        <location filename="../../ui/shift.py" line="133" />
        <source>Road
closed</source>
        <translation>Rue
fermée</translation>
    </message>
    <message>
        <location filename="../../ui/shift.py" line="134" />
        <source>Other</source>
        <translation>Autre</translation>
    </message>
    <message>
        <location filename="../../ui/shift.py" line="135" />
        <source>Leave
open</source>
        <translation>Laisser
ouvert</translation>
    </message>
    <message>
        <location filename="../../ui/shift.py" line="157" />
        <source>%1 to answer</source>
        <translation>%1 à répondre</translation>
    </message>
</context>
<context>
    <name>ExceptionBar</name>
    <message>
        <location filename="../../ui/exceptions_bar.py" line="82" />
        <source>Parked
cars</source>
        <translation>Voitures
garées</translation>
    </message>
    <message>
        <location filename="../../ui/exceptions_bar.py" line="83" />
        <source>Construction</source>
        <translation>Travaux</translation>
    </message>
    <message>
        <location filename="../../ui/exceptions_bar.py" line="84" />
        <source>Debris
pile</source>
        <translation>Tas de
débris</translation>
    </message>
    <message>
        <location filename="../../ui/exceptions_bar.py" line="85" />
        <source>Blocked</source>
        <translation>Bloqué</translation>
    </message>
    <message>
        <location filename="../../ui/exceptions_bar.py" line="86" />
        <source>Other</source>
        <translation>Autre</translation>
    </message>
    <message>
        <location filename="../../ui/exceptions_bar.py" line="91" />
        <source>Right
curb</source>
        <translation>Bordure
droite</translation>
    </message>
    <message>
        <location filename="../../ui/exceptions_bar.py" line="92" />
        <source>Left
curb</source>
        <translation>Bordure
gauche</translation>
    </message>
    <message>
        <location filename="../../ui/exceptions_bar.py" line="93" />
        <source>Both
curbs</source>
        <translation>Les deux
bordures</translation>
    </message>
    <message>
        <location filename="../../ui/exceptions_bar.py" line="103" />
        <source>Add a
note</source>
        <translation>Ajouter
une note</translation>
    </message>
</context>
<context>
    <name>FormView</name>
    <message>
        <location filename="../../ui/form_view.py" line="91" />
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <location filename="../../ui/form_view.py" line="92" />
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
    <message>
        <location filename="../../ui/form_view.py" line="115" />
        <source>Yes</source>
        <translation>Oui</translation>
    </message>
    <message>
        <location filename="../../ui/form_view.py" line="115" />
        <source>No</source>
        <translation>Non</translation>
    </message>
    <message>
        <location filename="../../ui/form_view.py" line="175" />
        <source>question {0!r}: the answer must be a number</source>
        <translation>question {0!r} : la réponse doit être un nombre</translation>
    </message>
</context>
<context>
    <name>GuidancePanel</name>
    <message>
        <location filename="../../ui/guidance_panel.py" line="85" />
        <source>Now: %1, %2 curb</source>
        <translation>Ici : %1, bordure %2</translation>
    </message>
    <message>
        <location filename="../../ui/guidance_panel.py" line="88" />
        <source>Now: waiting for GPS</source>
        <translation>Ici : en attente du GPS</translation>
    </message>
    <message>
        <location filename="../../ui/guidance_panel.py" line="90" />
        <source>Now: off the route</source>
        <translation>Ici : hors du circuit</translation>
    </message>
    <message>
        <location filename="../../ui/guidance_panel.py" line="94" />
        <source>Next: nothing left to sweep</source>
        <translation>Suivant : plus rien à balayer</translation>
    </message>
    <message>
        <location filename="../../ui/guidance_panel.py" line="96" />
        <source>Next: shown with the first GPS fix</source>
        <translation>Suivant : affiché dès la première position GPS</translation>
    </message>
    <message>
        <location filename="../../ui/guidance_panel.py" line="102" />
        <source>Next: %1, %2 curb, %3</source>
        <translation>Suivant : %1, bordure %2, %3</translation>
    </message>
</context>
<context>
    <name>LoginScreen</name>
    <message>
        <location filename="../../ui/login.py" line="43" />
        <source>The city server did not answer in time. Try again in a minute.</source>
        <translation>Le serveur de la ville n'a pas répondu à temps. Réessayez dans une minute.</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="47" />
        <source>No connection to the city server. Check that the tablet has signal, then try again; if it keeps failing, call your supervisor.</source>
        <translation>Pas de connexion au serveur de la ville. Vérifiez que la tablette capte le réseau, puis réessayez; si cela continue, appelez votre superviseur.</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="53" />
        <source>Wrong operator name or password. Check them and try again.</source>
        <translation>Nom d'opérateur ou mot de passe incorrect. Vérifiez-les et réessayez.</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="57" />
        <source>The city server is busy. Try again in a minute.</source>
        <translation>Le serveur de la ville est occupé. Réessayez dans une minute.</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="61" />
        <source>This tablet needs an update before it can log in. Call IT.</source>
        <translation>Cette tablette doit être mise à jour avant de se connecter. Appelez les TI.</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="65" />
        <source>The city server refused the login. Call your supervisor.</source>
        <translation>Le serveur de la ville a refusé la connexion. Appelez votre superviseur.</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="68" />
        <source>Could not log in. Try again; if it keeps failing, call your supervisor.</source>
        <translation>Connexion impossible. Réessayez; si cela continue, appelez votre superviseur.</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="90" />
        <source>Sweepline — log in</source>
        <translation>Sweepline — connexion</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="91" />
        <source>Log in to start your shift</source>
        <translation>Connectez-vous pour commencer votre quart</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="96" />
        <source>Tablet: %1</source>
        <translation>Tablette : %1</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="100" />
        <source>Operator name</source>
        <translation>Nom d'opérateur</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="104" />
        <source>Password</source>
        <translation>Mot de passe</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="105" />
        <location filename="../../ui/login.py" line="160" />
        <source>Log in</source>
        <translation>Se connecter</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="123" />
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="153" />
        <source>Enter your operator name and password.</source>
        <translation>Entrez votre nom d'opérateur et votre mot de passe.</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="160" />
        <source>Logging in…</source>
        <translation>Connexion…</translation>
    </message>
</context>
<context>
    <name>MessageStrip</name>
    <message>
        <location filename="../../ui/messages_strip.py" line="76" />
        <source>Message from your supervisor: stop to read it.</source>
        <translation>Message de votre superviseur : arrêtez-vous pour le lire.</translation>
    </message>
    <message>
        <location filename="../../ui/messages_strip.py" line="78" />
        <source>Supervisor</source>
        <translation>Superviseur</translation>
    </message>
    <message>
        <location filename="../../ui/messages_strip.py" line="87" />
        <source>(%1 more)</source>
        <translation>(%1 de plus)</translation>
    </message>
    <message>
        <location filename="../../ui/messages_strip.py" line="89" />
        <source>OK, read</source>
        <translation>OK, lu</translation>
    </message>
</context>
<context>
    <name>NoteDialog</name>
    <message>
        <location filename="../../ui/note_dialog.py" line="26" />
        <source>Note</source>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../../ui/note_dialog.py" line="29" />
        <source>Add a note for your supervisor</source>
        <translation>Ajouter une note pour votre superviseur</translation>
    </message>
    <message>
        <location filename="../../ui/note_dialog.py" line="35" />
        <source>Save note</source>
        <translation>Enregistrer</translation>
    </message>
    <message>
        <location filename="../../ui/note_dialog.py" line="39" />
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
</context>
<context>
    <name>OperatorFlows</name>
    <message>
        <location filename="../../ui/operator_flows.py" line="93" />
        <source>Shift started: GPS recording is on.</source>
        <translation>Quart commencé : l'enregistrement GPS est actif.</translation>
    </message>
    <message>
        <location filename="../../ui/operator_flows.py" line="105" />
        <source>Shift ended: everything is swept.</source>
        <translation>Quart terminé : tout est balayé.</translation>
    </message>
    <message>
        <location filename="../../ui/operator_flows.py" line="131" />
        <source>Shift ended. Thank you.</source>
        <translation>Quart terminé. Merci.</translation>
    </message>
    <message>
        <location filename="../../ui/operator_flows.py" line="143" />
        <source>Logged in: uploading resumes.</source>
        <translation>Connecté : l'envoi reprend.</translation>
    </message>
    <message>
        <location filename="../../ui/operator_flows.py" line="152" />
        <source>Feedback</source>
        <translation>Commentaires</translation>
    </message>
    <message>
        <location filename="../../ui/operator_flows.py" line="154" />
        <source>The feedback form is not on this tablet yet: it comes with the next sync.</source>
        <translation>Le formulaire de commentaires n'est pas encore sur cette tablette : il arrivera avec la prochaine synchronisation.</translation>
    </message>
    <message>
        <location filename="../../ui/operator_flows.py" line="164" />
        <source>End-of-shift survey</source>
        <translation>Sondage de fin de quart</translation>
    </message>
    <message>
        <location filename="../../ui/operator_flows.py" line="197" />
        <source>Moving: your answers are kept for when you stop.</source>
        <translation>En mouvement : vos réponses sont gardées pour votre prochain arrêt.</translation>
    </message>
    <message>
        <location filename="../../ui/operator_flows.py" line="214" />
        <source>The answer could not be saved (%1). Try again when stopped.</source>
        <translation>La réponse n'a pas pu être enregistrée (%1). Réessayez à l'arrêt.</translation>
    </message>
    <message>
        <location filename="../../ui/operator_flows.py" line="219" />
        <source>Thank you: your answer is saved.</source>
        <translation>Merci : votre réponse est enregistrée.</translation>
    </message>
    <message>
        <location filename="../../ui/operator_flows.py" line="233" />
        <source>No assignment: nothing to report against.</source>
        <translation>Aucune affectation : rien à signaler.</translation>
    </message>
    <message>
        <location filename="../../ui/operator_flows.py" line="247" />
        <source>Reported: %1, %2 curb, %3</source>
        <translation>Signalé : %1, bordure %2, %3</translation>
    </message>
    <message>
        <location filename="../../ui/operator_flows.py" line="250" />
        <source>off the route</source>
        <translation>hors du parcours</translation>
    </message>
    <message>
        <location filename="../../ui/operator_flows.py" line="272" />
        <source>Add a note to the exception you just reported</source>
        <translation>Ajouter une note au problème que vous venez de signaler</translation>
    </message>
    <message>
        <location filename="../../ui/operator_flows.py" line="295" />
        <source>Note saved.</source>
        <translation>Note enregistrée.</translation>
    </message>
    <message>
        <location filename="../../ui/operator_flows.py" line="298" />
        <source>Moving: the note is kept for when you stop.</source>
        <translation>En mouvement : la note est gardée pour votre prochain arrêt.</translation>
    </message>
</context>
<context>
    <name>OperatorFrame</name>
    <message>
        <location filename="../../ui/operator_frame.py" line="97" />
        <source>Sweepline</source>
        <translation>Sweepline</translation>
    </message>
    <message>
        <location filename="../../ui/operator_frame.py" line="150" />
        <source>Not saved: %1. Everything saved before is kept; tell your supervisor.</source>
        <translation>Non enregistré : %1. Tout ce qui a été enregistré avant est gardé; prévenez votre superviseur.</translation>
    </message>
    <message>
        <location filename="../../ui/operator_frame.py" line="208" />
        <source>Screen:
auto</source>
        <translation>Écran :
auto</translation>
    </message>
    <message>
        <location filename="../../ui/operator_frame.py" line="209" />
        <source>Screen:
day</source>
        <translation>Écran :
jour</translation>
    </message>
    <message>
        <location filename="../../ui/operator_frame.py" line="210" />
        <source>Screen:
night</source>
        <translation>Écran :
nuit</translation>
    </message>
</context>
<context>
    <name>OperatorWindow</name>
    <message>
        <location filename="../../ui/operator_window.py" line="111" />
        <source>Feedback</source>
        <translation>Commentaires</translation>
    </message>
    <message>
        <location filename="../../ui/operator_window.py" line="115" />
        <source>Log in again</source>
        <translation>Se reconnecter</translation>
    </message>
    <message>
        <location filename="../../ui/operator_window.py" line="144" />
        <source>SIMULATED GPS</source>
        <translation>GPS SIMULÉ</translation>
    </message>
    <message>
        <location filename="../../ui/operator_window.py" line="218" />
        <source>Demo: cut the
server link</source>
        <translation>Démo : couper
le serveur</translation>
    </message>
    <message>
        <location filename="../../ui/operator_window.py" line="276" />
        <source>No assignment for today: ask your supervisor.</source>
        <translation>Aucune affectation aujourd'hui : demandez à votre superviseur.</translation>
    </message>
    <message>
        <location filename="../../ui/operator_window.py" line="277" />
        <source>Today: %1 · %2 · %3 · %4 curb-km, %5 segments</source>
        <translation>Aujourd'hui : %1 · %2 · %3 · %4 km de bordure, %5 tronçons</translation>
    </message>
    <message>
        <location filename="../../ui/operator_window.py" line="287" />
        <source>End shift</source>
        <translation>Finir le quart</translation>
    </message>
    <message>
        <location filename="../../ui/operator_window.py" line="287" />
        <source>Start shift</source>
        <translation>Commencer le quart</translation>
    </message>
    <message>
        <location filename="../../ui/operator_flows.py" line="136" />
        <source>Stop the vehicle to log in</source>
        <translation>Arrêtez le véhicule pour vous connecter</translation>
    </message>
    <message>
        <location filename="../../ui/operator_flows.py" line="98" />
        <source>Stop the vehicle to end the shift.</source>
        <translation>Arrêtez le véhicule pour finir le quart.</translation>
    </message>
    <message>
        <location filename="../../ui/operator_flows.py" line="147" />
        <source>Stop the vehicle to give feedback</source>
        <translation>Arrêtez le véhicule pour donner vos commentaires</translation>
    </message>
    <message>
        <location filename="../../ui/operator_flows.py" line="265" />
        <source>Stop the vehicle to type a note.</source>
        <translation>Arrêtez le véhicule pour écrire une note.</translation>
    </message>
</context>
<context>
    <name>ProgressPanel</name>
    <message>
        <location filename="../../ui/progress_panel.py" line="198" />
        <source>Left: %1 curb-km</source>
        <translation>Reste : %1 km de bordure</translation>
    </message>
    <message>
        <location filename="../../ui/progress_panel.py" line="199" />
        <source>Sweeping passes: %1</source>
        <translation>Passages en balayage : %1</translation>
    </message>
    <message>
        <location filename="../../ui/progress_panel.py" line="201" />
        <source>%1 of %2 segments swept</source>
        <translation>%1 tronçons balayés sur %2</translation>
    </message>
    <message>
        <location filename="../../ui/progress_panel.py" line="238" />
        <source>Finish: %1</source>
        <translation>Fin prévue : %1</translation>
    </message>
    <message>
        <location filename="../../ui/progress_panel.py" line="244" />
        <source>Speed: —</source>
        <translation>Vitesse : —</translation>
    </message>
    <message>
        <location filename="../../ui/progress_panel.py" line="249" />
        <source>%1 too fast</source>
        <translation>%1 trop vite</translation>
    </message>
    <message>
        <location filename="../../ui/progress_panel.py" line="251" />
        <source>%1 stopped</source>
        <translation>%1 arrêté</translation>
    </message>
    <message>
        <location filename="../../ui/progress_panel.py" line="253" />
        <source>%1 in band</source>
        <translation>%1 dans la plage</translation>
    </message>
    <message>
        <location filename="../../ui/progress_panel.py" line="266" />
        <source>of curb-km swept</source>
        <translation>des km de bordure balayés</translation>
    </message>
    <message>
        <location filename="../../ui/progress_panel.py" line="267" />
        <source>1 curb-km: one curb along 1 km of street</source>
        <translation>1 km de bordure : une bordure sur 1 km de rue</translation>
    </message>
    <message>
        <location filename="../../ui/progress_panel.py" line="268" />
        <source>curb-km</source>
        <translation>km bord.</translation>
    </message>
    <message>
        <location filename="../../ui/progress_panel.py" line="268" />
        <source>hours of shift</source>
        <translation>heures de quart</translation>
    </message>
    <message>
        <location filename="../../ui/progress_panel.py" line="269" />
        <source>km/h</source>
        <translation>km/h</translation>
    </message>
    <message>
        <location filename="../../ui/progress_panel.py" line="269" />
        <source>minutes</source>
        <translation>minutes</translation>
    </message>
</context>
<context>
    <name>SegmentInfo</name>
    <message>
        <location filename="../../ui/segment_views.py" line="59" />
        <source>%1 (rule: %2)</source>
        <translation>%1 (règle : %2)</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="94" />
        <source>GPS too inaccurate here: those positions do not count</source>
        <translation>GPS trop imprécis ici : ces positions ne comptent pas</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="98" />
        <source>Standing or creeping here does not sweep: drive along it</source>
        <translation>Rester sur place ou avancer au pas ne balaie pas : parcourez la rue</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="106" />
        <source>Not enough of its length travelled at sweeping speed yet</source>
        <translation>Pas encore assez de longueur parcourue à vitesse de balayage</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="116" />
        <source>driven along %1 time(s), %2 of them at sweeping speed</source>
        <translation>parcouru %1 fois, dont %2 à vitesse de balayage</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="125" />
        <source>; travelled: right curb %1 %, left curb %2 %</source>
        <translation>; parcouru : bordure droite %1 %, bordure gauche %2 %</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="129" />
        <source>; travelled: %1 % one way, %2 % the other</source>
        <translation>; parcouru : %1 % dans un sens, %2 % dans l'autre</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="39" />
        <source>right</source>
        <translation>droite</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="40" />
        <source>left</source>
        <translation>gauche</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="41" />
        <source>both</source>
        <translation>des deux côtés</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="47" />
        <source>parked cars</source>
        <translation>voitures garées</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="48" />
        <source>construction</source>
        <translation>travaux</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="49" />
        <source>blocked</source>
        <translation>bloqué</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="50" />
        <source>road closed</source>
        <translation>rue fermée</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="51" />
        <source>debris pile</source>
        <translation>tas de débris</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="52" />
        <source>other</source>
        <translation>autre</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="69" />
        <source>Marked not swept: %1</source>
        <translation>Marqué non balayé : %1</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="74" />
        <source>Confirmed by the operator</source>
        <translation>Confirmé par l'opérateur</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="76" />
        <source>Both curbs swept at sweeping speed</source>
        <translation>Les deux bordures balayées à vitesse de balayage</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="77" />
        <source>Swept at sweeping speed</source>
        <translation>Balayé à vitesse de balayage</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="82" />
        <source>The %1 curb is swept; the %2 curb is not (drive it the other way)</source>
        <translation>La bordure %1 est balayée ; la bordure %2 ne l'est pas (passez dans l'autre sens)</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="89" />
        <source>Not ours to sweep (provincial road)</source>
        <translation>Pas à nous de balayer (route provinciale)</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="91" />
        <source>Not driven yet</source>
        <translation>Pas encore parcouru</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="102" />
        <source>Driven too fast to sweep (up to %1 km/h; the band is 2–12)</source>
        <translation>Parcouru trop vite pour balayer (jusqu'à %1 km/h ; la plage est 2–12)</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="109" />
        <source>%1 % done so far: not enough of its length swept yet</source>
        <translation>%1 % fait : pas encore assez de longueur balayée</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="167" />
        <source>Not started</source>
        <translation>Pas commencé</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="168" />
        <source>In progress</source>
        <translation>En cours</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="169" />
        <source>One curb swept</source>
        <translation>Une bordure balayée</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="170" />
        <source>Swept</source>
        <translation>Balayé</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="171" />
        <source>Skipped</source>
        <translation>Sauté</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="172" />
        <source>Length</source>
        <translation>Longueur</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="173" />
        <source>Passes</source>
        <translation>Passages</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="174" />
        <source>Why</source>
        <translation>Pourquoi</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="175" />
        <source>Re-centre</source>
        <translation>Recentrer</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="176" />
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <location filename="../../ui/segment_views.py" line="177" />
        <source>Legend</source>
        <translation>Légende</translation>
    </message>
</context>
<context>
    <name>StatusPanel</name>
    <message>
        <location filename="../../ui/status_panel.py" line="130" />
        <source>● Not saving</source>
        <translation>● N'enregistre plus</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="132" />
        <source>● Online</source>
        <translation>● En ligne</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="137" />
        <source>● Offline since %1</source>
        <translation>● Hors ligne depuis %1</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="142" />
        <source>● Offline</source>
        <translation>● Hors ligne</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="144" />
        <source>Waiting to upload: %1</source>
        <translation>En attente d'envoi : %1</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="146" />
        <source> (%1 rejected)</source>
        <translation> (%1 refusés)</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="150" />
        <source>never</source>
        <translation>jamais</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="151" />
        <source>Last sync: %1</source>
        <translation>Dernière synchro : %1</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="159" />
        <source>No position: sweeping is not being counted</source>
        <translation>Pas de position : le balayage n'est pas compté</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="163" />
        <source>No problems</source>
        <translation>Aucun problème</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="168" />
        <source>SIMULATED GPS</source>
        <translation>GPS SIMULÉ</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="170" />
        <source>GPS (%1)</source>
        <translation>GPS (%1)</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="173" />
        <source>good</source>
        <translation>bon</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="177" />
        <source>%1 sat.</source>
        <translation>%1 sat.</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="181" />
        <source>%1: lost since %2</source>
        <translation>%1 : perdu depuis %2</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="185" />
        <source>%1: no fix</source>
        <translation>%1 : pas de position</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="194" />
        <source>The tablet cannot save: %1. Stop and tell your supervisor.</source>
        <translation>La tablette ne peut pas enregistrer : %1. Arrêtez-vous et prévenez votre superviseur.</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="201" />
        <source>This app needs an update before it can upload. Nothing is lost.</source>
        <translation>L'application doit être mise à jour avant d'envoyer. Rien n'est perdu.</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="203" />
        <source>Log in again so your work can upload. Nothing is lost.</source>
        <translation>Reconnectez-vous pour que votre travail soit envoyé. Rien n'est perdu.</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="207" />
        <source>The server refused %1 record(s). They are kept on the tablet; tell your supervisor.</source>
        <translation>Le serveur a refusé %1 enregistrement(s). Ils sont gardés sur la tablette ; prévenez votre superviseur.</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="214" />
        <source>%1 record(s) clash with what the server already has. They are kept on the tablet; call support.</source>
        <translation>%1 enregistrement(s) entrent en conflit avec ceux du serveur. Ils sont gardés sur la tablette; appelez le soutien.</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="221" />
        <source>%1 record(s) were made for a route that has since been reassigned. They were kept and your supervisor can see them.</source>
        <translation>%1 enregistrement(s) concernent un circuit réassigné depuis. Ils sont gardés et votre superviseur peut les voir.</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="229" />
        <source>This tablet's clock is %1 min off the server's. Your work is still recorded in order; ask IT to set the clock.</source>
        <translation>L'horloge de la tablette a %1 min d'écart avec le serveur. Votre travail reste enregistré dans l'ordre; demandez aux TI de régler l'horloge.</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="234" />
        <source>No GPS: sweeping is not being counted. Check the GPS antenna.</source>
        <translation>Pas de GPS : le balayage n'est pas compté. Vérifiez l'antenne GPS.</translation>
    </message>
    <message>
        <location filename="../../ui/status_panel.py" line="241" />
        <source>No connection since %1. Your work is safe on the tablet and uploads when the signal returns.</source>
        <translation>Aucune connexion depuis %1. Votre travail est en sécurité sur la tablette et sera envoyé au retour du signal.</translation>
    </message>
</context>
</TS>
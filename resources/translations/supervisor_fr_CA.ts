<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="fr_CA">
<context>
    <name>DocumentsPanel</name>
    <message>
        <location filename="../../ui/supervisor/documents_panel.py" line="60" />
        <source>Show the street's evidence</source>
        <translation>Afficher la preuve de la rue</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/documents_panel.py" line="62" />
        <source>Show the day's report</source>
        <translation>Afficher le rapport du jour</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/documents_panel.py" line="64" />
        <source>Save as a file</source>
        <translation>Enregistrer dans un fichier</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/documents_panel.py" line="68" />
        <source>Route</source>
        <translation>Circuit</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/documents_panel.py" line="70" />
        <source>Street segment</source>
        <translation>Tronçon de rue</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/documents_panel.py" line="73" />
        <source>Day</source>
        <translation>Jour</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/documents_panel.py" line="75" />
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/documents_panel.py" line="119" />
        <source>Choose a route and a street segment first.</source>
        <translation>Choisissez d'abord un circuit et un tronçon.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/documents_panel.py" line="154" />
        <source>Cannot write %1: %2</source>
        <translation>Impossible d'écrire %1 : %2</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/documents_panel.py" line="159" />
        <source>Saved %1</source>
        <translation>Enregistré : %1</translation>
    </message>
</context>
<context>
    <name>EquityPanel</name>
    <message>
        <location filename="../../ui/supervisor/equity_panel.py" line="33" />
        <source>Refresh</source>
        <translation>Actualiser</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/equity_panel.py" line="38" />
        <source>Area</source>
        <translation>Secteur</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/equity_panel.py" line="39" />
        <source>Completion</source>
        <translation>Avancement</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/equity_panel.py" line="40" />
        <source>Days since last sweep</source>
        <translation>Jours depuis le dernier balayage</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/equity_panel.py" line="41" />
        <source>Segments</source>
        <translation>Tronçons</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/equity_panel.py" line="42" />
        <source>Last sweep</source>
        <translation>Dernier balayage</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/equity_panel.py" line="59" />
        <source>No areas imported: load districts or wards with `python -m server import-areas`.</source>
        <translation>Aucun secteur importé : chargez les districts ou quartiers avec `python -m server import-areas`.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/equity_panel.py" line="66" />
        <source>%1 areas, worst served first (never swept, then longest since a sweep, then lowest completion).</source>
        <translation>%1 secteurs, les moins bien servis d'abord (jamais balayés, puis le plus long délai depuis un balayage, puis le plus faible avancement).</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/equity_panel.py" line="78" />
        <source>never swept</source>
        <translation>jamais balayé</translation>
    </message>
</context>
<context>
    <name>ExportPanel</name>
    <message>
        <location filename="../../ui/supervisor/export_panel.py" line="31" />
        <source>Choose folder…</source>
        <translation>Choisir le dossier…</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_panel.py" line="34" />
        <source>Save into</source>
        <translation>Enregistrer dans</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_panel.py" line="39" />
        <source>Progress</source>
        <translation>Avancement</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_panel.py" line="40" />
        <source>Exceptions</source>
        <translation>Exceptions</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_panel.py" line="41" />
        <source>Feedback</source>
        <translation>Commentaires</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_panel.py" line="47" />
        <source>%1 as %2</source>
        <translation>%1 en %2</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_panel.py" line="67" />
        <source>Save exports into</source>
        <translation>Enregistrer les exportations dans</translation>
    </message>
</context>
<context>
    <name>FeedbackPanel</name>
    <message>
        <location filename="../../ui/supervisor/feedback_panel.py" line="47" />
        <source>from YYYY-MM-DD</source>
        <translation>du AAAA-MM-JJ</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/feedback_panel.py" line="48" />
        <source>to YYYY-MM-DD</source>
        <translation>au AAAA-MM-JJ</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/feedback_panel.py" line="50" />
        <location filename="../../ui/supervisor/feedback_panel.py" line="107" />
        <source>Any</source>
        <translation>Tous</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/feedback_panel.py" line="51" />
        <source>Apply filters</source>
        <translation>Appliquer les filtres</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/feedback_panel.py" line="56" />
        <location filename="../../ui/supervisor/feedback_panel.py" line="71" />
        <source>Operator</source>
        <translation>Opérateur</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/feedback_panel.py" line="57" />
        <location filename="../../ui/supervisor/feedback_panel.py" line="72" />
        <source>Route</source>
        <translation>Circuit</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/feedback_panel.py" line="58" />
        <source>Question</source>
        <translation>Question</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/feedback_panel.py" line="63" />
        <source>Dates</source>
        <translation>Dates</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/feedback_panel.py" line="70" />
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/feedback_panel.py" line="73" />
        <source>Segment</source>
        <translation>Tronçon</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/feedback_panel.py" line="74" />
        <source>Form / note</source>
        <translation>Formulaire / note</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/feedback_panel.py" line="75" />
        <source>Answers</source>
        <translation>Réponses</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/feedback_panel.py" line="76" />
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/feedback_panel.py" line="82" />
        <source>Select an item to read it and see where it was given.</source>
        <translation>Sélectionnez un élément pour le lire et voir où il a été donné.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/feedback_panel.py" line="128" />
        <source>%1 is not a date: write it as YYYY-MM-DD.</source>
        <translation>%1 n'est pas une date : écrivez AAAA-MM-JJ.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/feedback_panel.py" line="149" />
        <source>note</source>
        <translation>note</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/feedback_panel.py" line="183" />
        <source>at %1, %2 (shown on the map)</source>
        <translation>à %1, %2 (montré sur la carte)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/feedback_panel.py" line="187" />
        <source>no position recorded</source>
        <translation>aucune position enregistrée</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/feedback_panel.py" line="190" />
        <source>%1 — %2 on %3, segment %4, %5</source>
        <translation>%1 — %2 sur %3, tronçon %4, %5</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/feedback_panel.py" line="193" />
        <source>no route</source>
        <translation>aucun circuit</translation>
    </message>
</context>
<context>
    <name>FleetLayer</name>
    <message>
        <location filename="../../ui/supervisor/fleet_layer.py" line="33" />
        <source>live</source>
        <translation>en direct</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_layer.py" line="34" />
        <source>delayed</source>
        <translation>en retard</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_layer.py" line="35" />
        <source>silent</source>
        <translation>muet</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_layer.py" line="44" />
        <source>%1 · %2 % swept</source>
        <translation>%1 · %2 % balayé</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_layer.py" line="47" />
        <source>Data: %1</source>
        <translation>Données : %1</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_layer.py" line="51" />
        <source>No fix yet</source>
        <translation>Aucune position encore</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_layer.py" line="55" />
        <source>Last fix %1 (%2 ago)</source>
        <translation>Dernière position %1 (il y a %2)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_layer.py" line="61" />
        <source>Queue: not reported</source>
        <translation>File : non signalée</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_layer.py" line="64" />
        <source>Queue: %1 waiting (%2 events, %3 fixes)</source>
        <translation>File : %1 en attente (%2 événements, %3 positions)</translation>
    </message>
</context>
<context>
    <name>FleetPanel</name>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="33" />
        <source>%1 (%2 ev, %3 fix)</source>
        <translation>%1 (%2 év., %3 pos.)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="42" />
        <source>The tablet has not reported how many facts it is holding.</source>
        <translation>La tablette n'a pas signalé combien de faits elle garde.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="46" />
        <source>%1 events and %2 GPS fixes were waiting on the tablet when it last pushed.</source>
        <translation>%1 événements et %2 positions GPS attendaient sur la tablette à son dernier envoi.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="65" />
        <source>Vehicle</source>
        <translation>Véhicule</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="66" />
        <source>Operator</source>
        <translation>Opérateur</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="67" />
        <source>Route</source>
        <translation>Circuit</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="68" />
        <source>Progress</source>
        <translation>Avancement</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="69" />
        <source>Last fix</source>
        <translation>Dernière position</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="70" />
        <source>Last sync</source>
        <translation>Dernière synchro</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="71" />
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="72" />
        <source>Waiting</source>
        <translation>En attente</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="78" />
        <source>Reassign the selected vehicle's route</source>
        <translation>Réassigner le circuit du véhicule sélectionné</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="85" />
        <source>Reassign</source>
        <translation>Réassigner</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="90" />
        <source>To device</source>
        <translation>À l'appareil</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="91" />
        <source>Operator (blank: unchanged)</source>
        <translation>Opérateur (vide : inchangé)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="116" />
        <source>Live: updates arrive as the tablets sync.</source>
        <translation>En direct : les mises à jour arrivent dès que les tablettes se synchronisent.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="119" />
        <source>connecting</source>
        <translation>connexion en cours</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="122" />
        <source>Delayed: the live stream is down (%1); polling every %2 s and reconnecting.</source>
        <translation>En retard : le flux en direct est coupé (%1); interrogation toutes les %2 s et reconnexion.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="141" />
        <source>%1 % (%2 of %3 km)</source>
        <translation>%1 % (%2 sur %3 km)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="147" />
        <source>● live</source>
        <translation>● en direct</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="147" />
        <source>● delayed</source>
        <translation>● en retard</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="148" />
        <source> · ⚠ tablet database replaced</source>
        <translation> · ⚠ base de la tablette remplacée</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="186" />
        <source>Select the vehicle whose route moves first.</source>
        <translation>Sélectionnez d'abord le véhicule dont le circuit change.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/fleet_panel.py" line="189" />
        <source>Name the device that takes the route.</source>
        <translation>Nommez l'appareil qui prend le circuit.</translation>
    </message>
</context>
<context>
    <name>MessagesPanel</name>
    <message>
        <location filename="../../ui/supervisor/messages_panel.py" line="37" />
        <location filename="../../ui/supervisor/messages_panel.py" line="71" />
        <source>All operators</source>
        <translation>Tous les opérateurs</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/messages_panel.py" line="38" />
        <source>Message to the crew</source>
        <translation>Message à l'équipe</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/messages_panel.py" line="41" />
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/messages_panel.py" line="50" />
        <source>Sent</source>
        <translation>Envoyé</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/messages_panel.py" line="51" />
        <source>To</source>
        <translation>À</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/messages_panel.py" line="52" />
        <source>Text</source>
        <translation>Texte</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/messages_panel.py" line="53" />
        <source>Delivered</source>
        <translation>Livré</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/messages_panel.py" line="54" />
        <source>Acknowledged</source>
        <translation>Confirmé</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/messages_panel.py" line="96" />
        <source>%1: delivered %2, acknowledged %3</source>
        <translation>%1 : livré %2, confirmé %3</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/messages_panel.py" line="98" />
        <location filename="../../ui/supervisor/messages_panel.py" line="99" />
        <source>not yet</source>
        <translation>pas encore</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/messages_panel.py" line="110" />
        <source>Write the message first.</source>
        <translation>Écrivez d'abord le message.</translation>
    </message>
</context>
<context>
    <name>MetricsPanel</name>
    <message>
        <location filename="../../ui/supervisor/metrics_panel.py" line="55" />
        <source>Refresh</source>
        <translation>Actualiser</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/metrics_panel.py" line="56" />
        <source>Completion per day</source>
        <translation>Avancement par jour</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/metrics_panel.py" line="57" />
        <source>Curb-km per sweeping hour</source>
        <translation>Km de bordure par heure de balayage</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/metrics_panel.py" line="59" />
        <source>Sweeping speed distribution</source>
        <translation>Répartition des vitesses de balayage</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/metrics_panel.py" line="59" />
        <source>fixes</source>
        <translation>positions</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/metrics_panel.py" line="61" />
        <source>Exceptions by type</source>
        <translation>Exceptions par type</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/metrics_panel.py" line="61" />
        <source>count</source>
        <translation>nombre</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/metrics_panel.py" line="63" />
        <source>Survey ratings over time</source>
        <translation>Notes du sondage dans le temps</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/metrics_panel.py" line="63" />
        <source>mean (1–5)</source>
        <translation>moyenne (1–5)</translation>
    </message>
</context>
<context>
    <name>ProgressPanel</name>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="23" />
        <source>Route</source>
        <translation>Circuit</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="24" />
        <source>Operators today</source>
        <translation>Opérateurs aujourd'hui</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="25" />
        <source>Progress</source>
        <translation>Avancement</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="26" />
        <source>Swept</source>
        <translation>Balayé</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="27" />
        <source>Segments</source>
        <translation>Tronçons</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="33" />
        <source>Select a route to see its segments.</source>
        <translation>Sélectionnez un circuit pour voir ses tronçons.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="37" />
        <source>Segment</source>
        <translation>Tronçon</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="38" />
        <source>Street</source>
        <translation>Rue</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="39" />
        <source>Passes</source>
        <translation>Passages</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="40" />
        <source>Last swept</source>
        <translation>Dernier balayage</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="41" />
        <source>By</source>
        <translation>Par</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="42" />
        <source>Sweeps</source>
        <translation>Balayages</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="43" />
        <source>Exceptions</source>
        <translation>Exceptions</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="47" />
        <source>Refresh</source>
        <translation>Actualiser</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="54" />
        <source>Street evidence for the selected segment</source>
        <translation>Preuve de balayage du tronçon sélectionné</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="79" />
        <source>%1 of %2 km</source>
        <translation>%1 sur %2 km</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="82" />
        <source>%1 of %2</source>
        <translation>%1 sur %2</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="106" />
        <source>%1: %2 of %3 segments swept</source>
        <translation>%1 : %2 tronçons balayés sur %3</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="129" />
        <source>not yet</source>
        <translation>pas encore</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="141" />
        <source>Select a segment of the route first.</source>
        <translation>Sélectionnez d'abord un tronçon du circuit.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/progress_panel.py" line="159" />
        <source> [the tablet's clock said %1]</source>
        <translation> [l'horloge de la tablette indiquait %1]</translation>
    </message>
</context>
<context>
    <name>ReplayPanel</name>
    <message>
        <location filename="../../ui/supervisor/replay_panel.py" line="50" />
        <source>Load</source>
        <translation>Charger</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/replay_panel.py" line="52" />
        <location filename="../../ui/supervisor/replay_panel.py" line="153" />
        <source>Play</source>
        <translation>Lire</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/replay_panel.py" line="60" />
        <source>Nothing loaded.</source>
        <translation>Rien de chargé.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/replay_panel.py" line="64" />
        <source>Vehicle</source>
        <translation>Véhicule</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/replay_panel.py" line="65" />
        <source>From</source>
        <translation>Du</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/replay_panel.py" line="66" />
        <source>To</source>
        <translation>À</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/replay_panel.py" line="67" />
        <source>Speed</source>
        <translation>Vitesse</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/replay_panel.py" line="107" />
        <source>%1 fixes, %2 events loaded.</source>
        <translation>%1 positions, %2 événements chargés.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/replay_panel.py" line="126" />
        <source>%1 · %2 segments swept · %3 exceptions</source>
        <translation>%1 · %2 tronçons balayés · %3 exceptions</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/replay_panel.py" line="149" />
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/replay_panel.py" line="172" />
        <source>Choose a vehicle first.</source>
        <translation>Choisissez d'abord un véhicule.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/replay_panel.py" line="177" />
        <source>The end of the range must be after its start.</source>
        <translation>La fin de la période doit suivre son début.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/replay_panel.py" line="179" />
        <source>Loading…</source>
        <translation>Chargement…</translation>
    </message>
</context>
<context>
    <name>Supervisor</name>
    <message>
        <location filename="../../ui/supervisor/common.py" line="63" />
        <source>never</source>
        <translation>jamais</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/common.py" line="71" />
        <source>%1 days</source>
        <translation>%1 jours</translation>
    </message>
</context>
<context>
    <name>SupervisorActions</name>
    <message>
        <location filename="../../ui/supervisor/common.py" line="99" />
        <source>load the routes</source>
        <translation>charger les circuits</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/common.py" line="100" />
        <source>load the forms</source>
        <translation>charger les formulaires</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/common.py" line="101" />
        <source>load progress</source>
        <translation>charger l'avancement</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/common.py" line="102" />
        <source>load feedback</source>
        <translation>charger les commentaires</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/common.py" line="103" />
        <source>load metrics</source>
        <translation>charger les indicateurs</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/common.py" line="104" />
        <source>load equity</source>
        <translation>charger l'équité</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/common.py" line="105" />
        <source>load messages</source>
        <translation>charger les messages</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/common.py" line="106" />
        <source>load the history</source>
        <translation>charger l'historique</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/common.py" line="107" />
        <source>refresh the fleet</source>
        <translation>actualiser la flotte</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/common.py" line="108" />
        <source>reassign</source>
        <translation>réassigner</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/common.py" line="109" />
        <source>send the message</source>
        <translation>envoyer le message</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/common.py" line="110" />
        <source>export</source>
        <translation>exporter</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/common.py" line="111" />
        <source>load the replay</source>
        <translation>charger la relecture</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/common.py" line="112" />
        <source>load the evidence</source>
        <translation>charger la preuve</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/common.py" line="113" />
        <source>load the report</source>
        <translation>charger le rapport</translation>
    </message>
</context>
<context>
    <name>SupervisorMap</name>
    <message>
        <location filename="../../ui/supervisor/map_panel.py" line="87" />
        <source>Live: heard from within the last minute. Delayed: not heard for a while. Silent: nothing for 10 minutes or more.</source>
        <translation>En direct : entendu dans la dernière minute. En retard : pas entendu depuis un moment. Muet : rien depuis 10 minutes ou plus.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/map_panel.py" line="113" />
        <location filename="../../ui/supervisor/map_panel.py" line="154" />
        <source>The whole fleet: tap a vehicle to follow it.</source>
        <translation>Toute la flotte : touchez un véhicule pour le suivre.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/map_panel.py" line="118" />
        <source>Whole fleet</source>
        <translation>Toute la flotte</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/map_panel.py" line="176" />
        <source>Route %1</source>
        <translation>Circuit %1</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/map_panel.py" line="187" />
        <source>no position yet</source>
        <translation>aucune position encore</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/map_panel.py" line="191" />
        <source>at %1, %2</source>
        <translation>à %1, %2</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/map_panel.py" line="196" />
        <source>%1 (%2) on %3: %4</source>
        <translation>%1 (%2) sur %3 : %4</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/map_panel.py" line="228" />
        <source>Replay: %1</source>
        <translation>Relecture : %1</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/map_panel.py" line="245" />
        <source>Where %1 gave this feedback: %2, %3</source>
        <translation>Où %1 a donné ce commentaire : %2, %3</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/map_panel.py" line="252" />
        <source>This feedback has no recorded position.</source>
        <translation>Ce commentaire n'a pas de position enregistrée.</translation>
    </message>
</context>
<context>
    <name>SupervisorWindow</name>
    <message>
        <location filename="../../ui/supervisor/window.py" line="82" />
        <source>Sweepline — supervisor</source>
        <translation>Sweepline — superviseur</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/window.py" line="105" />
        <source>Fleet</source>
        <translation>Flotte</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/window.py" line="106" />
        <source>Progress</source>
        <translation>Avancement</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/window.py" line="107" />
        <source>Feedback</source>
        <translation>Commentaires</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/window.py" line="108" />
        <source>Metrics</source>
        <translation>Indicateurs</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/window.py" line="109" />
        <source>Equity</source>
        <translation>Équité</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/window.py" line="110" />
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/window.py" line="111" />
        <source>Replay</source>
        <translation>Relecture</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/window.py" line="112" />
        <source>Evidence and report</source>
        <translation>Preuve et rapport</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/window.py" line="113" />
        <source>Export</source>
        <translation>Exporter</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/window.py" line="203" />
        <source>Could not %1: %2</source>
        <translation>Impossible de %1 : %2</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/window.py" line="210" />
        <source>Could not %1: an unexpected error</source>
        <translation>Impossible de %1 : erreur inattendue</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/window.py" line="363" />
        <source>%1 now goes to %2 (%3), version %4; the tablets pick it up on their next pull.</source>
        <translation>%1 va maintenant à %2 (%3), version %4; les tablettes le reçoivent à leur prochaine synchronisation.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/window.py" line="410" />
        <source>Sent to %1 operator(s).</source>
        <translation>Envoyé à %1 opérateur(s).</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/window.py" line="434" />
        <source>Saved %1</source>
        <translation>Enregistré : %1</translation>
    </message>
</context>
</TS>
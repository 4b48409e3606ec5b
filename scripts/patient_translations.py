"""Fill locale/es/LC_MESSAGES/django.po with the Spanish of the patient's pages (#17).

Run after `manage.py makemessages -l es` (which keeps translations already in the .po);
then `manage.py compilemessages`. Staff pages stay English: their strings stay empty.
The Spanish here is ours (navigation, buttons, history questions, errors and the demo
packs' topic labels); an instrument's validated wording comes from the clinic's pack.
"""

import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parents[1] / "locale/es/LC_MESSAGES/django.po"

SPANISH = {
    # The tablet's pages
    "Your questionnaire": "Su cuestionario",
    "Start": "Empezar",
    "Code from staff": "Código del personal",
    "8 letters and numbers, for example ABCD-2345.": (
        "8 letras y números, por ejemplo ABCD-2345."
    ),
    "Type the 8 letters and numbers the staff gave you.": (
        "Escriba las 8 letras y números que le dio el personal."
    ),
    "There is a problem": "Hay un problema",
    "Question %(number)s of %(total)s": "Pregunta %(number)s de %(total)s",
    "Back": "Atrás",
    "Continue": "Continuar",
    "Prefer not to say": "Prefiero no decirlo",
    "Choose one answer.": "Elija una respuesta.",
    'Write your answer, or write "none".': 'Escriba su respuesta, o escriba "ninguna".',
    "Check your answers": "Revise sus respuestas",
    "Not answered yet": "Sin responder todavía",
    "Change": "Cambiar",
    "answer %(number)s": "respuesta %(number)s",
    "When you send your answers, they go to the clinic staff. You cannot change "
    "them on this tablet afterwards.": (
        "Cuando envíe sus respuestas, llegarán al personal de la clínica. Después no "
        "podrá cambiarlas en esta tableta."
    ),
    "Send my answers": "Enviar mis respuestas",
    "Thank you": "Gracias",
    "Thank you. Your answers have been sent.": (
        "Gracias. Sus respuestas se han enviado."
    ),
    "Please give the tablet back to a member of staff.": (
        "Por favor, devuelva la tableta a un miembro del personal."
    ),
    "If you need help now": "Si necesita ayuda ahora",
    "Session ended": "Sesión terminada",
    "This page is not available": "Esta página no está disponible",
    "Your session has ended, or this page is not part of your questionnaire. "
    "Please give the tablet back to a member of staff.": (
        "Su sesión ha terminado, o esta página no forma parte de su cuestionario. "
        "Por favor, devuelva la tableta a un miembro del personal."
    ),
    "Start again with a new code": "Empezar de nuevo con un código nuevo",
    # The consent page (#18)
    "Consent": "Consentimiento",
    "Version %(version)s": "Versión %(version)s",
    "The consent text": "El texto del consentimiento",
    "I have read this and I agree": "Lo he leído y estoy de acuerdo",
    'Tick "I have read this and I agree", or choose to talk to staff first.': (
        'Marque "Lo he leído y estoy de acuerdo", o elija hablar antes con el personal.'
    ),
    "Your full name": "Su nombre completo",
    "Type your full name.": "Escriba su nombre completo.",
    "Typing your name here is your signature.": (
        "Escribir aquí su nombre es su firma."
    ),
    "I agree, continue": "Estoy de acuerdo, continuar",
    "Not ready to agree? You can still answer the questions.": (
        "¿Todavía no quiere aceptar? Puede responder las preguntas de todos modos."
    ),
    "I'd like to talk to staff first": "Prefiero hablar antes con el personal",
    "You agreed, signed as %(name)s": "Usted aceptó, firmado como %(name)s",
    "You would like to talk to staff first": (
        "Usted prefiere hablar antes con el personal"
    ),
    "your consent": "su consentimiento",
    # Errors of the services
    "Question %(number)s has no answer yet.": (
        "La pregunta %(number)s todavía no tiene respuesta."
    ),
    "Too many wrong codes. Wait 15 minutes, or ask staff.": (
        "Demasiados códigos incorrectos. Espere 15 minutos o pida ayuda al personal."
    ),
    "This language is not offered here. Choose another.": (
        "Este idioma no se ofrece aquí. Elija otro."
    ),
    "This code does not work. Check it, or ask staff for a new one.": (
        "Este código no funciona. Revíselo o pida uno nuevo al personal."
    ),
    "This session has ended.": "Esta sesión ha terminado.",
    "A signed intake takes no new answers.": (
        "Un ingreso firmado no admite respuestas nuevas."
    ),
    # The history check (our own words)
    "Yes": "Sí",
    "No": "No",
    "I am not sure": "No estoy seguro/a",
    "Have you been told you have epilepsy or a seizure disorder?": (
        "¿Le han dicho alguna vez que tiene epilepsia o un trastorno convulsivo?"
    ),
    "Are you pregnant, or could you be pregnant?": (
        "¿Está embarazada, o podría estarlo?"
    ),
    "Yes, I am pregnant": "Sí, estoy embarazada",
    "I do not know": "No lo sé",
    "Do you have any allergies, to medicines or anything else? Write what they "
    'are and what happens, or write "none".': (
        "¿Tiene alguna alergia, a medicamentos o a cualquier otra cosa? Escriba "
        'cuáles son y qué le pasa, o escriba "ninguna".'
    ),
    "Which medicines do you take? Include anything from a pharmacy, vitamins and "
    'herbal remedies, or write "none".': (
        "¿Qué medicamentos toma? Incluya lo que compre en la farmacia, vitaminas y "
        'remedios de hierbas, o escriba "ninguno".'
    ),
    # The default crisis text (988 Suicide & Crisis Lifeline: Spanish at 988, option 2)
    "If you are having thoughts of harming yourself, or feel you are in crisis, you "
    "are not alone. Call or text 988 to reach the 988 Suicide & Crisis Lifeline, any "
    "time, day or night. In an emergency, call 911. Please also tell a member of "
    "our staff before you leave today.": (
        "Si tiene pensamientos de hacerse daño, o siente que está en crisis, no está "
        "solo/a. Llame o envíe un mensaje de texto al 988 para comunicarse con la 988 "
        "Suicide & Crisis Lifeline (Línea 988 de Prevención del Suicidio y Crisis; "
        "marque 2 para español), a cualquier hora del día o de la noche. En una "
        "emergencia, llame al 911. Por favor, dígaselo también a un miembro de "
        "nuestro personal antes de irse hoy."
    ),
    # The demo packs (topic labels, never the validated wording)
    "demo wording — not the validated instrument": (
        "texto de demostración — no es el instrumento validado"
    ),
    "Over the last 2 weeks, how often has this bothered you?": (
        "Durante las últimas 2 semanas, ¿con qué frecuencia le ha molestado esto?"
    ),
    "In the past month, how much were you bothered by this, after a very "
    "stressful experience?": (
        "En el último mes, ¿cuánto le ha molestado esto, después de una experiencia "
        "muy estresante?"
    ),
    "About drinking alcohol": "Sobre el consumo de alcohol",
    "Not at all": "Nunca",
    "Several days": "Varios días",
    "More than half the days": "Más de la mitad de los días",
    "Nearly every day": "Casi todos los días",
    "Little interest or pleasure in doing things": (
        "Poco interés o placer en hacer cosas"
    ),
    "Feeling down, depressed or hopeless": (
        "Sentirse decaído/a, deprimido/a o sin esperanza"
    ),
    "Trouble falling or staying asleep, or sleeping too much": (
        "Problemas para dormirse o mantenerse dormido/a, o dormir demasiado"
    ),
    "Feeling tired or having little energy": "Sentirse cansado/a o con poca energía",
    "Poor appetite or overeating": "Poco apetito o comer en exceso",
    "Feeling bad about yourself, or a failure": (
        "Sentirse mal consigo mismo/a, o sentirse un fracaso"
    ),
    "Trouble concentrating": "Dificultad para concentrarse",
    "Moving or speaking slowly, or being fidgety or restless": (
        "Moverse o hablar despacio, o estar inquieto/a"
    ),
    "Thoughts of being better off dead or of hurting yourself": (
        "Pensamientos de que estaría mejor muerto/a o de hacerse daño"
    ),
    "Feeling nervous, anxious or on edge": "Sentirse nervioso/a, ansioso/a o tenso/a",
    "Not being able to stop or control worrying": (
        "No poder dejar de preocuparse o controlar la preocupación"
    ),
    "Worrying too much about different things": (
        "Preocuparse demasiado por distintas cosas"
    ),
    "Trouble relaxing": "Dificultad para relajarse",
    "So restless that it is hard to sit still": (
        "Tan inquieto/a que cuesta quedarse quieto/a"
    ),
    "Becoming easily annoyed or irritable": "Molestarse o irritarse con facilidad",
    "Feeling afraid as if something awful might happen": (
        "Sentir miedo, como si algo terrible pudiera pasar"
    ),
    "A little bit": "Un poco",
    "Moderately": "Moderadamente",
    "Quite a bit": "Bastante",
    "Extremely": "Muchísimo",
    "Repeated disturbing memories of the experience": (
        "Recuerdos perturbadores y repetidos de la experiencia"
    ),
    "Repeated disturbing dreams": "Sueños perturbadores y repetidos",
    "Suddenly feeling or acting as if it were happening again": (
        "Sentir o actuar de repente como si estuviera pasando otra vez"
    ),
    "Feeling very upset when reminded": "Sentirse muy mal al recordarla",
    "Strong physical reactions when reminded": (
        "Reacciones físicas fuertes al recordarla"
    ),
    "Avoiding memories, thoughts or feelings about it": (
        "Evitar recuerdos, pensamientos o sentimientos sobre ella"
    ),
    "Avoiding external reminders": "Evitar cosas externas que se la recuerden",
    "Trouble remembering important parts of it": (
        "Dificultad para recordar partes importantes de ella"
    ),
    "Strong negative beliefs about yourself, others or the world": (
        "Creencias negativas fuertes sobre usted, los demás o el mundo"
    ),
    "Blaming yourself or someone else for it": (
        "Culparse a sí mismo/a o a otra persona de ella"
    ),
    "Strong negative feelings such as fear, anger, guilt or shame": (
        "Sentimientos negativos fuertes como miedo, enojo, culpa o vergüenza"
    ),
    "Loss of interest in activities you used to enjoy": (
        "Pérdida de interés en actividades que antes disfrutaba"
    ),
    "Feeling distant or cut off from other people": (
        "Sentirse distante o aislado/a de otras personas"
    ),
    "Trouble experiencing positive feelings": (
        "Dificultad para sentir emociones positivas"
    ),
    "Irritable behaviour, angry outbursts or acting aggressively": (
        "Irritabilidad, arrebatos de enojo o conducta agresiva"
    ),
    "Taking too many risks or doing things that could cause harm": (
        "Correr demasiados riesgos o hacer cosas que podrían causar daño"
    ),
    "Being superalert, watchful or on guard": (
        "Estar muy alerta, vigilante o en guardia"
    ),
    "Feeling jumpy or easily startled": "Sobresaltarse o asustarse con facilidad",
    "Difficulty concentrating": "Dificultad para concentrarse",
    "Trouble falling or staying asleep": (
        "Problemas para dormirse o mantenerse dormido/a"
    ),
    "How often the patient has a drink containing alcohol": (
        "Con qué frecuencia toma una bebida con alcohol"
    ),
    "Never": "Nunca",
    "Monthly or less": "Una vez al mes o menos",
    "2\u20134 times a month": "2\u20134 veces al mes",
    "2\u20133 times a week": "2\u20133 veces a la semana",
    "4 or more times a week": "4 o más veces a la semana",
    "Drinks containing alcohol on a typical drinking day": (
        "Bebidas con alcohol en un día típico en que bebe"
    ),
    "1 or 2": "1 o 2",
    "3 or 4": "3 o 4",
    "5 or 6": "5 o 6",
    "7 to 9": "7 a 9",
    "10 or more": "10 o más",
    "How often six or more drinks on one occasion": (
        "Con qué frecuencia toma seis o más bebidas en una sola ocasión"
    ),
    "Less than monthly": "Menos de una vez al mes",
    "Monthly": "Una vez al mes",
    "Weekly": "Una vez a la semana",
    "Daily or almost daily": "A diario o casi a diario",
}


def _unquote(lines: list[str]) -> str:
    text = "".join(
        re.match(r'^(?:msgid |msgstr )?"(.*)"$', line).group(1) for line in lines
    )
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def fill(po: str) -> tuple[str, set[str]]:
    """The .po with every SPANISH entry filled, and the msgids it found."""
    # makemessages leaves no blank line between the header and the first entry.
    po = re.sub(r'(msgid ""\nmsgstr ""\n(?:".*"\n)+)(?=#)', r"\1\n", po, count=1)
    blocks = po.split("\n\n")
    found = set()
    for n, block in enumerate(blocks):
        lines = block.splitlines()
        try:
            start = next(i for i, line in enumerate(lines) if line.startswith("msgid "))
            middle = next(
                i for i, line in enumerate(lines) if line.startswith("msgstr ")
            )
        except StopIteration:
            continue
        msgid = _unquote(lines[start:middle])
        if n == 0 and msgid == "":
            header = block.replace("#, fuzzy\n", "").replace(
                '"Language: \\n"', '"Language: es\\n"'
            )
            blocks[n] = header
            continue
        if msgid in SPANISH:
            found.add(msgid)
            flags = [line for line in lines[:start] if line != "#, fuzzy"]
            blocks[n] = "\n".join(
                [*flags, *lines[start:middle], f'msgstr "{_quote(SPANISH[msgid])}"']
            )
    return "\n\n".join(blocks), found


if __name__ == "__main__":
    text, found = fill(PO.read_text())
    PO.write_text(text)
    missing = sorted(set(SPANISH) - found)
    if missing:
        sys.exit("not in the .po (changed in the source?): " + "; ".join(missing))

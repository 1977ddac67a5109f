//! Name parts for synthetic clients. Invented combinations; no real person is meant.

pub const FIRST: &[&str] = &[
    "Aaliyah", "Aaron", "Abdul", "Adele", "Aiko", "Alejandro", "Amara", "Andre", "Anika", "Ben",
    "Bianca", "Bo", "Caleb", "Camila", "Chen", "Chloe", "Dario", "Deja", "Diego", "Elena", "Eli",
    "Emeka", "Esme", "Farah", "Felix", "Grace", "Hana", "Hector", "Imani", "Ines", "Isaac",
    "Jada", "Jamal", "Jonah", "Josefina", "Kai", "Kavya", "Keanu", "Lena", "Leo", "Lucia", "Malik",
    "Maya", "Mei", "Miguel", "Nadia", "Noah", "Nora", "Omar", "Priya", "Quinn", "Rafael", "Rosa",
    "Samir", "Sofia", "Tariq", "Tessa", "Umar", "Valeria", "Wen", "Xavier", "Yara", "Yusuf", "Zoe",
];

pub const LAST: &[&str] = &[
    "Abara", "Alvarez", "Anand", "Bauer", "Bennett", "Brooks", "Castillo", "Chavez", "Cho",
    "Dawson", "Delgado", "Duarte", "Ellis", "Esposito", "Farouk", "Fischer", "Garcia", "Gomez",
    "Greene", "Haddad", "Hayes", "Huang", "Ibrahim", "Jensen", "Johnson", "Kaur", "Kim", "Kowalski",
    "Larsen", "Le", "Lopez", "Mahmoud", "Martin", "Mendoza", "Morales", "Nakamura", "Nguyen",
    "Novak", "Okafor", "Olsen", "Ortiz", "Park", "Patel", "Quintero", "Ramos", "Reyes", "Rivera",
    "Rossi", "Saleh", "Santos", "Schmidt", "Silva", "Singh", "Tanaka", "Torres", "Tran", "Vargas",
    "Walker", "Wang", "Weiss", "Williams", "Xu", "Yilmaz", "Zhang",
];
